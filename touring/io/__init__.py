"""All reading and writing of files lives in this package."""

from touring.io.tour import LoadedTour, load_tour

__all__ = ["LoadedTour", "load_tour"]
