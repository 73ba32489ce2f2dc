"""Words that suggest a dataset whose images have no natural orientation.

RL102 stays on by default (`image-domain = "natural"`); when a file mentions one of these, its
message names the word and the setting to change. Sources: the Kaggle competitions whose
notebooks were linted while the rule was written (APTOS 2019 fundus photos, SIIM-ISIC melanoma
dermoscopy, cassava and plant-pathology leaves, satellite imagery, histopathology slides).
"""

from __future__ import annotations

import re

DOMAIN_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(retinopathy|fundus|aptos|melanoma|isic|dermoscop\w*|x-?ray|chest|mri|ct[-_ ]scan|histopath\w*|"
                r"pathology|radiolog\w*)\b", re.IGNORECASE), "medical"),
    (re.compile(r"\b(microscop\w*|cell[-_ ]?images?|blood[-_ ]cells?|malaria)\b", re.IGNORECASE), "microscopy"),
    (re.compile(r"\b(satellite|aerial|sentinel[-_ ]?2|landsat|drone|overhead|planet[-_ ]amazon|cassava|leaf|leaves)\b",
                re.IGNORECASE), "overhead"),
)


def domain_hint(text: str) -> tuple[str, str] | None:
    """The first hint word found in a text and the image-domain it suggests, or None."""
    for pattern, domain in DOMAIN_HINTS:
        match = pattern.search(text)
        if match is not None:
            return match.group(0), domain
    return None
