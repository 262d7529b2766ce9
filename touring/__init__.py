"""touring: a tour and logistics optimizer for the performing arts and audiovisual productions."""

__version__ = "0.1.0"
