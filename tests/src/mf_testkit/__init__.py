"""Test rig shared by every service's tests and the cross-service suites."""
