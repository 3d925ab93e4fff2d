"""kinres: resistance annotation for ALK-, ROS1- and NTRK-driven cancers."""

from kinres._build_info import version as _version

__version__ = _version()
