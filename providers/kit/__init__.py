"""The provider kit: the machinery every source shares, from raw payload to checked update."""
