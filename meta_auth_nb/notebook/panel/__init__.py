"""The ``%meta_login`` panel: state, step widgets, the step groups and the controller joining them, the autopilot."""
