"""Tours: series of visits by different hosts, travel legs between them, and
registering once for several visits."""
