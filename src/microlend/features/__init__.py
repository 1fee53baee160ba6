"""Point-in-time merchant features: catalog, windows, peers and the builder."""
