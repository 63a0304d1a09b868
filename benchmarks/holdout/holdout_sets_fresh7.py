"""A set of the fourth fresh hold-out, prepared on 2026-12-04 in the seventeenth session (after
``art4apps``) before any model ran on it and evaluated once in that session (results 15): ``qet``
(qelectrotech-data), from a package that no other set and no meta-dataset source reads.
Planned with the helpers of ``holdout_sets.py``,
``holdout_sets_fresh2.py`` and ``holdout_sets_fresh4.py``, whose ``SETS`` this module extends
when it is imported (``holdout_sets`` imports it at its end); it adds its picture reader to
fresh2's ``PICTURE_READERS``, which ``prepare.py`` reads.

QElectroTech draws electrical diagrams from a library of symbols, one ``.elmt`` file a symbol:
an XML ``definition`` whose ``description`` lists its strokes (``line``, ``rect``, ``ellipse``,
``circle``, ``polygon``, ``arc``), its texts and its connection points. ``element_svg`` writes the
strokes as SVG (texts and connection points are left out: most texts are the fields a diagram
fills in, the rest terminal numbers), which rsvg-convert draws. A symbol's class is its category
folder in the all-pole library ``10_electric/10_allpole`` (``200_fuses_protective_gears/...`` is
``fuses_protective``). Identical pictures are removed (``unique_icons``), and symbols of one
class that are one symbol redrawn are chained into one group that stays on one side: fresh4's
``drawing_groups`` (outlines overlapping, near grey thumbnails, file names sharing their first two
words: ``capteur_capacitif_no`` and ``capteur_capacitif_nc_3p``), the folders whose symbols are
one drawing in 1 to 6 poles or 9 to 25 pins (``QET_FOLDER_FAMILIES``: fuses, circuit breakers,
D-sub connectors, ...) and the redraws those rules miss (``QET_FAMILIES``: the lamps, the meters,
the transistors; found on contact sheets).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from holdout_sets import SETS, HoldoutSet, Item, slug, split_and_cap, unique_icons
from holdout_sets_fresh2 import (
    FAMILY_MOST,
    PICTURE_READERS,
    Entry,
    cap_per_group,
    is_blank,
    pixel_digest,
)
from holdout_sets_fresh4 import centred, drawing_groups, render_svg

if TYPE_CHECKING:
    from PIL import Image

QET_ROOT = Path("/usr/share/qelectrotech/elements/10_electric/10_allpole")  # qelectrotech-data
# Category folder -> class: the categories that keep 33 or more symbols (33-64) once repeats are
# removed and each family is cut to ``FAMILY_MOST``. Left out (README): home installation (125:
# most of its symbols are a pictogram over one striped label box, which no other category draws),
# terminals (52: 29 are pieces of terminal-strip tables, frames and brackets), consumers and
# actuators (54: 34 are motors, a circle with leads whose letter ``M`` is a text, one drawing
# redrawn: 24 symbols would remain), and the categories of under 50 symbols (folio referencing,
# network supplies, connections, cables, transformers, converters, generators, high voltage).
QET_CLASSES = {
    "140_connectors_plugs": "connectors",
    "200_fuses_protective_gears": "fuses_protective",
    "310_relays_contactors_contacts": "relays_contacts",
    "380_signaling_operating": "signaling_operating",
    "390_sensors_instruments": "sensors_instruments",
    "395_electronics_semiconductors": "electronics",
}
# One symbol redrawn under another name, which the pixel rules of ``drawing_groups`` and the
# two-word names do not chain (recoloured, a mark added, the leads or the frame drawn another
# way, another author's file): file stem -> the two-word family of the drawing it redraws.
# Found on contact sheets of every class, each test symbol beside the train ones nearest to it.
QET_FAMILIES = {
    "lampe2": "lampara_azul",  # the lamp, a cross in a circle: coloured, flashing, with more
    "lampara-red": "lampara_azul",
    "lampara-verde": "lampara_azul",
    "lampe_clignotante": "lampara_azul",
    "gyrophare": "lampara_azul",
    "voyant_avec_transfo": "lampara_azul",
    "voyant_bouton_poussoir_lumineux": "lampara_azul",
    "voyant_flash": "lampara_azul",
    "humidite_relative_nf": "debit_gaz",  # a contact worked from a box with a dot in it
    "humidite_relative_nf_no": "debit_gaz",
    "humidite_relative_no": "debit_gaz",
    "induc": "crepuscolar",  # one sensor box with three outputs, its sensing mark changed
    "amperemetre-h": "galvanometre",  # a meter, a circle with two leads, its letter left out
    "amperemetre-v": "galvanometre",
    "frequencemetre-h": "galvanometre",
    "frequencemetre-v": "galvanometre",
    "ohmmetre-h": "galvanometre",
    "ohmmetre-v": "galvanometre",
    "voltmetre-h": "galvanometre",
    "voltmetre-v": "galvanometre",
    "wattmetre-h": "galvanometre",
    "wattmetre-v": "galvanometre",
    "ampereheuremetre": "compteur_energie",  # an energy meter, a box with a band on top
    "compteur_horaire": "compteur_energie",
    "compteur_horaire_08-04-03_en60617": "compteur_energie",
    "varh_08-04-15_en60617": "compteur_energie",
    "varheuremetre": "compteur_energie",
    "varheuremetre_2": "compteur_energie",
    "wattheuremetre": "compteur_energie",
    "wattheuremetre_08-04-03_en60617": "compteur_energie",
    "wattheuremetre_2": "compteur_energie",
    "wattheuremetre_3phase": "compteur_energie",
    "act_termique_no_esclave": "act_electromagnetique",  # a contact worked by a thermal or
    "act_thermique_nf_esclave": "act_electromagnetique",  # an electromagnetic actuator
    "contact_fusile_nc_esclave": "contact_fusible",  # (the file name misspelt)
    "24_pin_connector_male_female": "pin_strip",  # pins on a bar, 3 to 24, male or female
    "c091a_3p_fem": "pin_strip",
    "c091a_3p_male": "pin_strip",
    "c091a_male": "pin_strip",
    "c091d_fem": "pin_strip",
    "c16_4p_f": "pin_strip",
    "c16_4p_m": "pin_strip",
    "c16_7p_fem": "pin_strip",
    "c16_7p_male": "pin_strip",
    "konektor10pin": "kon_pin",  # a 10-pin header
    "pin_m_fm": "connecteur",  # a plug and socket contact drawn alone
    "prise_fiche": "connecteur",
    "contact_prise_fiche": "connecteur",
    "self": "inductance",  # the coil, its bumps drawn with or without a core
    "self_avec_entrefer": "inductance",
    "bobinacumiez": "inductance",
    "inductance1.elmt": "inductance",  # (the files are named ``inductance1.elmt.elmt``)
    "inductance2.elmt": "inductance",
    "resistance_reglable": "varistance",  # the resistor crossed by a line, bent at its end or not
    "capacite": "condensateur",  # the capacitor, two plates
    "photo-diode": "diode_led",  # the diode with two arrows, turned in or out
    "ordinateur_couleur": "ordinateur_pc",  # the computer, coloured or not
    "motor_choke_3p": "line_choke",  # three coils in a box
    "graetz": "pont_de",  # the bridge rectifier, four diodes in a square
    "pontdiode2": "pont_de",
    "interface_optocoupleur": "optoclen",  # the optocoupler, a diode and a transistor boxed
    "pnp-a": "npn",  # the bipolar transistor, its arrow turned in or out, in a circle or not
    "pnp-a1": "npn",
    "pnp1": "npn",
    "pnp2": "npn",
    "transistor_1": "npn",
    "transistor_bipolaire_npn": "npn",
    "transistor_bipolaire_pnp": "npn",
    "transistor_npn": "npn",
    "trioda": "dioda",  # the vacuum tube, with or without a grid
    "sonnerie": "buzzer",  # the bell and the buzzer, a half disc on two leads
    "sonnerie_a_1_coup": "buzzer",
    "010_switch_1pos": "inter",  # one author's lever switches, 1 to 3 positions, 1 or 2 poles
    "012_switch_dpst": "inter",
    "021_switch_3pos": "inter",
    "spin_tlacitko": "poussoir",  # the push button, make and break, and the rotary switch
    "rozpin_tlacitko": "poussoir",
    "otocny_spinac": "poussoir",
    "interruptor_001": "bp",  # the key and push switches of one series, 0-1-2 and inverted
    "interruptor_002": "bp",
    "key_1-0-2": "bp",
    "key_1-0-2_inv": "bp",
    "bp1-0-2inv": "bp",
    "commut_3_pos": "commut_position",  # the selector switch of 2 or 3 positions
    "comut_ppe1_ppe2": "commut_position",
    "commutateur_2_positions_a_cle": "commut_position",
    "commutateur-a-3-positions-": "commut_position",
    "commutateur-a-3-positions-a-m": "commut_position",
}
# Folders of a category whose symbols are one drawing in its variants (1 to 6 poles, 9 to 25 pins,
# normally open or closed) redrawn by several authors: each folder is one family. Found on contact
# sheets (without them a two-pole circuit breaker was in train and its three-pole redraw in test).
QET_FOLDER_FAMILIES = frozenset(
    {
        "01_auxiliary_contacts",
        "02_power_contacts",
        "11_delayed_contacts",
        "10_fuses",
        "11_circuit_breakers",
        "12_magneto_thermal_circuit_breakers",
        "30_thermal_relays",
        "20_disconnecting_switches",
        "50_residual_current_circuit_breaker",
        "10_connectors_circular",
        "15_connectors_dsub",
        "20_socket_outlets",
        "13_thyristors",
        "31_integrated_circuits",
    }
)
# Words of a file name that name a contact's state, not a drawing: normally open (``no``, ``na``),
# normally closed (``nc``, ``nf``), inverted (``inv``).
QET_VARIANT_WORDS = frozenset({"no", "na", "nc", "nf", "inv"})
QET_RENDER = 128  # px: a symbol is drawn into this square, then fitted into prepare's 96 px
QET_PLAN_SIDE = 64  # px: the square the plan compares symbols in (repeats, outlines)
QET_MARGIN = 2.0  # symbol units around the strokes' bounds (half a thick stroke and more)
QET_TRAIN_PER_CLASS = 45
QET_TEST_PER_CLASS = 20
# ``line-weight`` of a stroke -> its width in symbol units (QElectroTech's pens).
QET_WEIGHTS = {"none": 0.0, "thin": 0.5, "normal": 1.0, "hight": 2.0, "eleve": 5.0}
QET_DASHES = {"dashed": "4,2", "dotted": "1,2", "dashdotted": "4,2,1,2"}
# QElectroTech's own colour names that CSS lacks; hatch fillings are drawn unfilled.
QET_COLOURS = {"brun": "brown", "none": "none"}
QET_HATCHES = {"hor", "ver", "bdiag", "fdiag", "cross", "diagcross"}


def qet_style(node: ElementTree.Element) -> str:
    """The SVG presentation attributes of a stroke, from its ``style`` (``line-style:dashed;
    line-weight:thin;filling:white;color:black``): width, dashes, fill and stroke colour."""
    style = dict(part.split(":", 1) for part in node.get("style", "").split(";") if ":" in part)
    fill = style.get("filling", "none")
    if fill.startswith("HTML"):  # ``HTMLOrangeTomato``: the group, then the CSS name
        fill = re.sub(r"^HTML[A-Z][a-z]+", "", fill) or "none"
    fill = "none" if fill in QET_HATCHES else QET_COLOURS.get(fill, fill)
    width = QET_WEIGHTS.get(style.get("line-weight", "normal"), 1.0)
    colour = QET_COLOURS.get(style.get("color", "black"), style.get("color", "black"))
    attributes = f'fill="{fill}" stroke="{colour}" stroke-width="{width:g}"'
    if style.get("line-style") in QET_DASHES:
        attributes += f' stroke-dasharray="{QET_DASHES[style["line-style"]]}"'
    return attributes


def invisible(node: ElementTree.Element) -> bool:
    """A stroke drawn with no pen and no filling (a frame that only reserves room for a text):
    it neither shows nor counts in the symbol's bounds."""
    style = node.get("style", "")
    return "line-weight:none" in style and "filling:none" in style


def number(node: ElementTree.Element, name: str) -> float:
    return float(node.get(name, "0"))


def arc_path(node: ElementTree.Element) -> tuple[str, list[tuple[float, float]]]:
    """An ``arc``: the ellipse in the box ``x``, ``y``, ``width``, ``height``, from ``start``
    degrees over ``angle`` degrees, counter-clockwise on screen for a positive angle (Qt's
    convention), as an SVG path; a turn or more is the whole ellipse."""
    x, y, width, height = (number(node, key) for key in ("x", "y", "width", "height"))
    rx, ry, cx, cy = width / 2, height / 2, x + width / 2, y + height / 2
    start, span = number(node, "start"), number(node, "angle")
    box = [(x, y), (x + width, y + height)]
    if abs(span) >= 360:
        return f'<ellipse cx="{cx:g}" cy="{cy:g}" rx="{rx:g}" ry="{ry:g}"', box

    def at(degrees: float) -> str:
        radians = math.radians(degrees)
        return f"{cx + rx * math.cos(radians):.3f},{cy - ry * math.sin(radians):.3f}"

    large, sweep = int(abs(span) > 180), int(span < 0)
    path = f"M {at(start)} A {rx:g} {ry:g} 0 {large} {sweep} {at(start + span)}"
    return f'<path d="{path}"', box


def stroke_svg(node: ElementTree.Element) -> tuple[str, list[tuple[float, float]]] | None:
    """One stroke of a symbol as an SVG element's opening (without its style and ``/>``) and
    points that bound it; None for what is not drawn (texts, connection points)."""
    get = number
    if node.tag == "line":
        points = [(get(node, "x1"), get(node, "y1")), (get(node, "x2"), get(node, "y2"))]
        (x1, y1), (x2, y2) = points
        return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}"', points
    if node.tag in ("rect", "ellipse"):
        x, y, width, height = (get(node, key) for key in ("x", "y", "width", "height"))
        box = [(x, y), (x + width, y + height)]
        if node.tag == "ellipse":
            shape = f'<ellipse cx="{x + width / 2:g}" cy="{y + height / 2:g}"'
            return f'{shape} rx="{width / 2:g}" ry="{height / 2:g}"', box
        corner = f'rx="{get(node, "rx"):g}" ry="{get(node, "ry"):g}"'
        return f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}" {corner}', box
    if node.tag == "circle":
        x, y, diameter = get(node, "x"), get(node, "y"), get(node, "diameter")
        box = [(x, y), (x + diameter, y + diameter)]
        centre = f'cx="{x + diameter / 2:g}" cy="{y + diameter / 2:g}"'
        return f'<circle {centre} r="{diameter / 2:g}"', box
    if node.tag == "polygon":
        points = list(polygon_points(node))
        kind = "polyline" if node.get("closed") == "false" else "polygon"
        text = " ".join(f"{x:g},{y:g}" for x, y in points)
        return f'<{kind} points="{text}"', points
    if node.tag == "arc":
        return arc_path(node)
    return None


def polygon_points(node: ElementTree.Element) -> Iterator[tuple[float, float]]:
    """The corners ``x1``, ``y1``, ``x2``, ``y2``, ... of a ``polygon``, in order."""
    index = 1
    while node.get(f"x{index}") is not None and node.get(f"y{index}") is not None:
        yield number(node, f"x{index}"), number(node, f"y{index}")
        index += 1


def element_svg(text: str) -> bytes:
    """A symbol's ``.elmt`` definition as an SVG of its strokes, its view the strokes' bounds
    and ``QET_MARGIN``; a symbol without strokes gives an empty SVG (drawn blank)."""
    description = ElementTree.fromstring(text).find("description")
    shapes, points = [], []
    for node in description if description is not None else []:
        drawn = stroke_svg(node)
        if drawn is not None and not invisible(node):
            shapes.append(f"{drawn[0]} {qet_style(node)}/>")
            points += drawn[1]
    if not points:
        points = [(0.0, 0.0), (1.0, 1.0)]
    left = min(x for x, _ in points) - QET_MARGIN
    top = min(y for _, y in points) - QET_MARGIN
    width = max(x for x, _ in points) + QET_MARGIN - left
    height = max(y for _, y in points) + QET_MARGIN - top
    view = f"{left:g} {top:g} {width:g} {height:g}"
    head = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view}" width="{width:g}"'
    return f'{head} height="{height:g}">{"".join(shapes)}</svg>'.encode()


def render_symbol(path: Path, side: int) -> Image.Image:
    """The symbol as RGBA, drawn by rsvg-convert into a ``side`` square (aspect kept)."""
    return render_svg(element_svg(path.read_text(encoding="utf-8")), side)


def read_symbol(item: Item) -> Image.Image:
    """``PICTURE_READERS`` entry of the qet set: the symbol drawn ``QET_RENDER`` px large."""
    return render_symbol(item.source, QET_RENDER)


@lru_cache(maxsize=2048)
def plan_picture(path: Path) -> Image.Image:
    """The symbol as the plan compares it: drawn into and centred on ``QET_PLAN_SIDE`` px
    (cached: the plan reads each symbol several times, and tests plan twice)."""
    return centred(render_symbol(path, QET_PLAN_SIDE), QET_PLAN_SIDE)


def two_word_family(stem: str) -> str:
    """The first two words of a file name, split at ``-``, ``_``, spaces and digits, in lower
    case, one-letter words and ``QET_VARIANT_WORDS`` left out (``capteur_capacitif_nc_3p`` ->
    ``capteur_capacitif``, ``pressostat_nc`` -> ``pressostat``, ``022_inter_2n`` -> ``inter``,
    ``int_diff2`` -> ``int_diff``): QElectroTech names a symbol's
    variants (contacts open or closed, 1 to 4 poles, upright or lying) by words after the first
    two, and many kinds by the same first word (``capteur``, sensor); the whole name if it has
    no such word."""
    words = re.split(r"[-_ 0-9]+", stem.lower())
    words = [w for w in words if len(w) > 1 and w not in QET_VARIANT_WORDS]
    return "_".join(words[:2]) if words else stem.lower()


def qet_family(path: Path) -> str:
    """A symbol's family: its folder where that is one (``QET_FOLDER_FAMILIES``), else the drawing
    it redraws (``QET_FAMILIES``), else its two-word family."""
    if path.parent.name in QET_FOLDER_FAMILIES:
        return path.parent.name
    return QET_FAMILIES.get(path.stem, two_word_family(path.stem))


def qet_symbols(root: Path = QET_ROOT) -> list[Entry]:
    """(class, family, path) of every symbol of the categories used, sorted by path."""
    return [
        (label, qet_family(path), path)
        for folder, label in sorted(QET_CLASSES.items())
        for path in sorted((root / folder).rglob("*.elmt"))
    ]


def qet_name(path: Path) -> str:
    """Output stem: the symbol's file name (``.../10_fuses/pojistka1p.elmt`` -> ``pojistka1p``),
    with its folder where the category's subfolders repeat a name."""
    return slug(f"{path.parent.name}_{path.stem}")


def plan_qet(root: Path = QET_ROOT) -> list[Item]:
    """Category of a QElectroTech symbol as the class; blank and repeated pictures dropped;
    test = whole groups per class (outlines overlapping by 90% or more at 64 px or 16 px, near
    thumbnails or one two-word family, chained; ``FAMILY_MOST`` symbols a group at most)."""

    drawn = [entry for entry in qet_symbols(root) if not is_blank(plan_picture(entry[2]))]
    grouped = drawing_groups(unique_icons(drawn, pixel_digest(plan_picture)), plan_picture)
    return split_and_cap(
        cap_per_group(grouped, FAMILY_MOST),
        "qet",
        (QET_TRAIN_PER_CLASS, QET_TEST_PER_CLASS),
        "qet",
        qet_name,
    )


# ----------------------------------------------------------------------------- the sets

PICTURE_READERS["qet"] = read_symbol
FRESH7_SETS = (
    HoldoutSet(
        "qet",
        "qelectrotech-data librsvg2-bin",
        QET_ROOT,
        "category of a QElectroTech electrical symbol (6)",
        "by family (symbols of one category whose outlines overlap by 90% or more at 64 px or "
        "coarsened to 16 px, whose grey 16 px thumbnails differ by less than a quarter of their "
        "ink, whose file names share their first two words (contact-state words left out), "
        "that lie in one folder of a drawing's variants (fuses, circuit breakers, D-sub "
        "connectors, ...), or that redraw one symbol (a hand-made list: the lamps, the meters, "
        "the transistors), chained; at most 5 symbols a family), about 30% of each category, "
        "after removing blank and identical pictures",
        plan_qet,
    ),
)
SETS.update({spec.name: spec for spec in FRESH7_SETS})
