"""Framework-free analytics: pure numpy/scipy functions the Django apps call."""

from payesh.analytics.complexity import (
    ComplexityResult,
    ComplexityWarning,
    DroppedUnitsWarning,
    complexity_pipeline,
    matrix_from_long,
)

__all__ = [
    "ComplexityResult",
    "ComplexityWarning",
    "DroppedUnitsWarning",
    "complexity_pipeline",
    "matrix_from_long",
]
