"""asv benchmark modules: thin adapters over the case definitions in suite/."""
