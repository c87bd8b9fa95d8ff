"""awsscan: audit a live AWS account and write its infrastructure design document."""

__version__ = "0.1.0"
