"""Geometries simplified for display: Douglas-Peucker on each ring, in plain Python.

Deterministic (same input, same output), coordinates rounded to 6 decimals (about
0.1 m). A ring that would keep fewer than 4 points is kept as it was when it is an
outer ring (a polygon never disappears), and dropped when it is a hole smaller than
the tolerance."""
from __future__ import annotations

import math
from typing import Any

__all__ = ["TOLERANCE", "simplify_geometry", "simplify_ring"]

#: Largest distance (degrees, about 22 m at the equator) a dropped point may lie off
#: the simplified line: far below one pixel of a regency-wide map.
TOLERANCE = 0.0002

Point = tuple[float, float]


def _distance(p: Point, a: Point, b: Point) -> float:
    """Distance from p to the segment a-b (to a when a == b)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def _douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """The points kept, first and last always (iterative: no recursion limit)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index != -1 and worst > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: list[Point], tolerance: float = TOLERANCE) -> list[Point] | None:
    """The closed ring simplified, or None when fewer than 4 points would remain."""
    if len(ring) <= 4:
        return ring
    kept = _douglas_peucker(ring, tolerance)
    return kept if len(kept) >= 4 else None


def _round(ring: list[Point]) -> list[list[float]]:
    return [[round(x, 6), round(y, 6)] for x, y in ring]


def _polygon(rings: list[list[Point]], tolerance: float) -> list[list[list[float]]]:
    outer = simplify_ring(rings[0], tolerance) or rings[0]
    holes = [h for h in (simplify_ring(r, tolerance) for r in rings[1:]) if h is not None]
    return [_round(outer)] + [_round(h) for h in holes]


def simplify_geometry(geometry: dict[str, Any],
                      tolerance: float = TOLERANCE) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon (2D, checked) simplified for display."""
    if geometry["type"] == "Polygon":
        return {"type": "Polygon",
                "coordinates": _polygon(geometry["coordinates"], tolerance)}
    return {"type": "MultiPolygon",
            "coordinates": [_polygon(p, tolerance) for p in geometry["coordinates"]]}
