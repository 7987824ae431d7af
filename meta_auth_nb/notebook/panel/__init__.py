"""The ``%meta_login`` panel: state, step widgets, the controller that wires them, the sandbox autopilot."""
