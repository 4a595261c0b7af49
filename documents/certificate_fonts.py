"""DejaVu Sans parsed once per process, and font subsets cut once per script.

fpdf2's ``add_font`` parses the whole TTF for every new document, and its
output step subsets the font *in place* for every document (≈ 11 ms for two
faces). Here, once per process:

* each face is cut down to the letters the four languages and the numbers
  need (:data:`CORE_RANGES`) and parsed once into a template ``TTFFont``
  (cmap, widths, descriptor); :meth:`SharedFont.attach` gives each document a
  light copy of it;
* the glyphs a document embeds are the 64-code-point pages of Unicode its
  text touches (Basic Latin, the Uzbek ʻ, Cyrillic, the Kazakh/Kyrgyz letters
  ...), so a language's pages repeat from one certificate to the next: each
  such set of pages is subset once (:meth:`SharedFont.subset_for`) and the
  finished font file is reused. :class:`PrebuiltFontsOutput` then writes the
  document without running fontTools at all.

Text with a letter outside the cut falls back to plain ``add_font`` with the
full font files (slower, same result).
"""

from __future__ import annotations

import copy
import io
import threading
import types
from collections.abc import Iterable
from pathlib import Path

import fpdf.output as fpdf_output
from fontTools import subset as ft_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer

__all__ = [
    "BOLD_FONT",
    "FAMILY",
    "FONTS_DIR",
    "REGULAR_FONT",
    "PrebuiltFontsOutput",
    "SharedFont",
    "fast_path_available",
]

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR_FONT = "DejaVuSans.ttf"
BOLD_FONT = "DejaVuSans-Bold.ttf"
FAMILY = "dejavu"

# Code points kept in the in-memory cut of DejaVu (the fast path).
CORE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A and -B (Kazakh/Karakalpak/Turkish Latin)
    (0x0259, 0x0259),  # ə
    (0x02B0, 0x02FF),  # spacing modifiers: ʻ U+02BB, ʼ U+02BC
    (0x0400, 0x052F),  # Cyrillic + supplement: ә ғ қ ң ө ұ ү һ і ў ҳ
    (0x2000, 0x206F),  # general punctuation, incl. narrow no-break space
    (0x20A0, 0x20CF),  # currency signs
    (0x2100, 0x214F),  # letterlike: №
    (0x2212, 0x2212),  # minus
    (0xFFFD, 0xFFFD),  # replacement character
)
#: A page of Unicode, the unit of the cached subsets: 64 code points.
PAGE_BITS = 6

# TTFFont attributes as of fpdf2 2.8.x; on any change, fall back to add_font.
_KNOWN_TTFFONT_SLOTS = frozenset(
    {
        "i", "type", "name", "desc", "glyph_ids", "_hbfont", "sp", "ss", "up", "ut", "cw",
        "ttffile", "fontkey", "emphasis", "scale", "subset", "cmap", "ttfont",
        "missing_glyphs", "biggest_size_pt", "color_font", "unicode_range",
        "palette_index", "is_compressed", "is_cff", "is_cid_keyed", "is_symbol",
        "cff_ros", "collection_font_number",
    }
)  # fmt: skip


def fast_path_available() -> bool:
    """True when fpdf2's font object still looks as this module expects."""
    return set(TTFFont.__slots__) <= _KNOWN_TTFFONT_SLOTS and not OutputProducer._add_fonts.__code__.co_freevars


def _core_codepoints() -> set[int]:
    cps: set[int] = set()
    for lo, hi in CORE_RANGES:
        cps.update(range(lo, hi + 1))
    return cps


def _subset_options() -> ft_subset.Options:
    opts = ft_subset.Options(notdef_outline=True, recommended_glyphs=True)
    opts.glyph_names = True  # without names fontTools rebuilds them on every load; fpdf2 maps glyphs by name
    opts.hinting = False  # TrueType instructions: -10 KB per PDF, faster subsetting
    opts.name_IDs = ["*"]  # keep the copyright notice in the embedded font
    opts.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "kern", "meta"]
    return opts


def _cut(data: bytes | Path, unicodes: Iterable[int]) -> bytes:
    # recalcBBoxes=False: glyphs are not changed, and recomputing every bbox
    # makes fontTools recompile all glyphs (≈ 4x slower start)
    font = ttLib.TTFont(data if isinstance(data, Path) else io.BytesIO(data), recalcTimestamp=False,
                        recalcBBoxes=False, lazy=True)
    subsetter = ft_subset.Subsetter(_subset_options())
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def pages_of(codepoints: Iterable[int]) -> frozenset[int]:
    """The 64-code-point pages a text's letters fall in: the key of a cached subset."""
    return frozenset(cp >> PAGE_BITS for cp in codepoints)


class PrebuiltSubset:
    """A finished, embeddable font file standing in for fpdf2's per-document ``TTFont``.

    It answers the three things fpdf2's output step asks of the font after
    subsetting: a glyph's id by name, the file's bytes, and close.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        font = ttLib.TTFont(io.BytesIO(data), lazy=True)
        self.glyph_ids = {name: i for i, name in enumerate(font.getGlyphOrder())}
        font.close()

    def getGlyphID(self, name: str) -> int:  # fontTools' spelling
        return self.glyph_ids[name]

    def save(self, file: io.BytesIO) -> None:
        file.write(self.data)

    def close(self) -> None:
        """Nothing to release: the bytes are shared by every document."""


class _NoSubsetting:
    """Stands in for ``fontTools.subset`` inside :class:`PrebuiltFontsOutput`: the fonts come subset."""

    Options = ft_subset.Options

    class Subsetter:
        def __init__(self, options: ft_subset.Options) -> None:
            self.options = options

        def populate(self, **_kwargs: object) -> None:
            pass

        def subset(self, font: object) -> None:
            if not isinstance(font, PrebuiltSubset):  # only documents prepared by SharedFont.finish
                raise TypeError("PrebuiltFontsOutput needs fonts prepared by SharedFont.finish")


class PrebuiltFontsOutput(OutputProducer):
    """fpdf2's own output step, with subsetting left out (see :class:`SharedFont`).

    ``_add_fonts`` is fpdf2's function itself, given a namespace in which
    ``ftsubset`` is :class:`_NoSubsetting`; nothing global is patched.
    """

    _add_fonts = types.FunctionType(
        OutputProducer._add_fonts.__code__,
        {**vars(fpdf_output), "ftsubset": _NoSubsetting},
        "_add_fonts",
    )


class SharedFont:
    """A DejaVu face parsed once, attached cheaply to each new FPDF."""

    def __init__(self, path: Path, style: str) -> None:
        self.path = path
        self.style = style
        self.fontkey = FAMILY + style
        full = ttLib.TTFont(path, recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        self.full_chars = frozenset(full.getBestCmap())
        full.close()
        self.core_data = _cut(path, _core_codepoints() & self.full_chars)
        scratch = FPDF()
        self._template = TTFFont(scratch, io.BytesIO(self.core_data), self.fontkey, style)  # type: ignore[arg-type]
        self._template.ttfont.close()
        self._template.ttfont = None  # type: ignore[assignment]  # each copy opens its own
        self._template.ttffile = path
        self.core_chars = frozenset(self._template.cmap)
        self._subsets: dict[frozenset[int], PrebuiltSubset] = {}
        self._subsets_lock = threading.Lock()

    def attach(self, pdf: FPDF, *, prebuilt: bool = False) -> None:
        """Give ``pdf`` its own copy of the parsed font (shares only read-only tables).

        ``prebuilt``: the document is finished with :meth:`finish` and written
        with :class:`PrebuiltFontsOutput`; no ``TTFont`` is opened for it.
        """
        src = self._template
        font = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(src, slot):
                setattr(font, slot, getattr(src, slot))
        # per-document state, never shared:
        font.i = len(pdf.fonts) + 1
        font.ttfont = None if prebuilt else ttLib.TTFont(  # type: ignore[assignment]
            io.BytesIO(self.core_data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        font.cw = src.cw.copy()  # a defaultdict: lookups of unknown chars insert keys
        font.desc = copy.copy(src.desc)  # output() sets its name, object id, font file
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None  # shaping is off; it would need the core bytes, not the file
        font.color_font = None
        font.subset = SubsetMap(font)
        pdf.fonts[self.fontkey] = font

    def finish(self, pdf: FPDF) -> None:
        """Before output: hand ``pdf``'s copy the cached subset covering the letters it drew."""
        font = pdf.fonts[self.fontkey]
        used = {cp for glyph, _code in font.subset.items() if glyph is not None for cp in glyph.unicode}
        font.ttfont = self.subset_for(pages_of(used))

    def subset_for(self, pages: frozenset[int]) -> PrebuiltSubset:
        """The face cut to every letter of these Unicode pages; made once per set of pages."""
        found = self._subsets.get(pages)
        if found is None:
            with self._subsets_lock:
                found = self._subsets.get(pages)
                if found is None:
                    cps = [cp for cp in self.core_chars if cp >> PAGE_BITS in pages]
                    found = PrebuiltSubset(_cut(self.core_data, cps))
                    if len(self._subsets) >= 64:  # a bound, not expected: languages repeat their pages
                        self._subsets.clear()
                    self._subsets[pages] = found
        return found

    def add_full(self, pdf: FPDF) -> None:
        """The slow, plain fpdf2 way: parse the whole TTF for this document."""
        pdf.add_font(FAMILY, self.style, self.path)


class FontPair:
    """The regular and bold faces parsed once, with the characters both draw (`core_chars`: in the fast cut)."""

    def __init__(self, fonts_dir: Path | str = FONTS_DIR) -> None:
        fonts_dir = Path(fonts_dir)
        self.regular = SharedFont(fonts_dir / REGULAR_FONT, "")
        self.bold = SharedFont(fonts_dir / BOLD_FONT, "B")
        self.core_chars = self.regular.core_chars & self.bold.core_chars
        self.full_chars = self.regular.full_chars & self.bold.full_chars
