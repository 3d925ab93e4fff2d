"""kinres: resistance annotation for ALK-, ROS1- and NTRK-driven cancers."""

__version__ = "0.1.0"
