"""One module per `hipthrust` command; see hipthrust.cli."""
