"""Sunlight (阳光内控): integrity-risk prevention and internal control for public agencies."""
