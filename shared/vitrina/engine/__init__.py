"""The embedded local engine: template.yaml's state machines on moto, handlers in-process."""
