"""Providers: one subpackage per book (client, parse, stream, scrape)."""
