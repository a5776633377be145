"""Pure builders: data in, Block Kit dicts out. No I/O."""
