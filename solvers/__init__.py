"""The optimization models of touring and the travel-time model they share.

Only this package imports OR-Tools. Integer scaling is defined in :mod:`solvers.units`.
"""
