"""Versioned resistance knowledge tables: loading, validation and matching."""

from kinres.knowledge.loader import KnowledgeBase, load_knowledge
from kinres.knowledge.records import Hotspot, Match

__all__ = ["Hotspot", "KnowledgeBase", "Match", "load_knowledge"]
