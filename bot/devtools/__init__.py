"""Developer tools shared by tests/ and bench/ (real servers on free ports); not used at run time."""
