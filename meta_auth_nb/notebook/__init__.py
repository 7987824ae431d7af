"""The notebook UI: magics, the login panel, the injected session, the leak guard, rendering."""
