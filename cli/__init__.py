"""The top floor: the `oddswatch` command (`cli.main`) and `make up` (`cli.up`).

It may import every other package; nothing imports it."""
