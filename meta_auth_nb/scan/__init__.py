"""``meta-auth scan``: find tokens and app secrets left in notebooks and files."""
