"""Integer units inside the solvers: the one place that scales real quantities.

OR-Tools works on integers, so every quantity a solver sees is scaled here and only here:

=================  ==========  ==============================================
quantity           unit        why
=================  ==========  ==============================================
travel time        minute      tour dates and day sheets are planned to the minute
transport time     second      routing dimensions need sub-minute service times
distance           metre       km with three decimals loses nothing on a road map
money              cent        fees and costs add up exactly
cargo volume       litre       m3 with three decimals: a flight case is a few hundred litres
cargo weight       gram        kg with three decimals
=================  ==========  ==============================================

Conversions round to the nearest unit, except travel time, which rounds *up* (a leg of
44.2 minutes needs 45 minutes of the day, never 44), and cargo, where an item's size
rounds up and a vehicle's limit rounds down, so an accepted load never exceeds a limit.
"""

from __future__ import annotations

import math

SECONDS_PER_MINUTE = 60
MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR
METRES_PER_KM = 1000
CENTS_PER_UNIT = 100


def km_to_metres(km: float) -> int:
    return int(round(km * METRES_PER_KM))


def metres_to_km(metres: int) -> float:
    return metres / METRES_PER_KM


def hours_to_minutes(hours: float) -> int:
    return math.ceil(round(hours * MINUTES_PER_HOUR, 6))


def seconds_to_minutes(seconds: float) -> int:
    return math.ceil(round(seconds / SECONDS_PER_MINUTE, 6))


def minutes_to_seconds(minutes: int) -> int:
    return minutes * SECONDS_PER_MINUTE


def drive_minutes(metres: int, speed_kmh: float) -> int:
    """Minutes to drive ``metres`` at an average ``speed_kmh``, rounded up."""
    return hours_to_minutes(metres / METRES_PER_KM / speed_kmh)


def money_to_cents(amount: float) -> int:
    return int(round(amount * CENTS_PER_UNIT))


LITRES_PER_M3 = 1000
GRAMS_PER_KG = 1000


def litres_up(m3: float) -> int:
    return math.ceil(round(m3 * LITRES_PER_M3, 6))


def litres_down(m3: float) -> int:
    return math.floor(round(m3 * LITRES_PER_M3, 6))


def grams_up(kg: float) -> int:
    return math.ceil(round(kg * GRAMS_PER_KG, 6))


def grams_down(kg: float) -> int:
    return math.floor(round(kg * GRAMS_PER_KG, 6))
