"""kinres: resistance annotation for ALK-, ROS1- and NTRK-driven cancers."""


def __getattr__(name: str) -> str:
    # Lazy: the version may ask git (two subprocesses), which every `kinres` process would pay
    # at import; only --version and report provenance need it.
    if name == "__version__":
        from kinres._build_info import version

        return version()
    raise AttributeError(f"module 'kinres' has no attribute {name!r}")
