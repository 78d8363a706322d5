"""Large block-glyph text for the live view, readable from the floor 2 m away.

    print("\\n".join(big("12", scale=2)))

Each glyph is a 5 x 5 bitmap drawn with full blocks; scale repeats every cell
(scale 2 makes a digit 10 rows tall, about 4 cm on a laptop screen).
"""

# 5 rows of 5 cells per glyph; "#" is ink.
_FONT = {
    "0": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "1": ("  #  ", " ##  ", "  #  ", "  #  ", " ### "),
    "2": (" ### ", "#   #", "  ## ", " #   ", "#####"),
    "3": ("#### ", "    #", " ### ", "    #", "#### "),
    "4": ("#   #", "#   #", "#####", "    #", "    #"),
    "5": ("#####", "#    ", "#### ", "    #", "#### "),
    "6": (" ### ", "#    ", "#### ", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", "  #  "),
    "8": (" ### ", "#   #", " ### ", "#   #", " ### "),
    "9": (" ### ", "#   #", " ####", "    #", " ### "),
    "A": (" ### ", "#   #", "#####", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#### ", "#   #", "#### "),
    "C": (" ####", "#    ", "#    ", "#    ", " ####"),
    "D": ("#### ", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#### ", "#    ", "#####"),
    "G": (" ####", "#    ", "#  ##", "#   #", " ### "),
    "H": ("#   #", "#   #", "#####", "#   #", "#   #"),
    "I": ("#####", "  #  ", "  #  ", "  #  ", "#####"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#### ", "#    ", "#    "),
    "R": ("#### ", "#   #", "#### ", "#  # ", "#   #"),
    "S": (" ####", "#    ", " ### ", "    #", "#### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", " ### "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "Y": ("#   #", " # # ", "  #  ", "  #  ", "  #  "),
    "-": ("     ", "     ", "#####", "     ", "     "),
    " ": ("     ", "     ", "     ", "     ", "     "),
}
_UNKNOWN = ("#####", "#   #", "#   #", "#   #", "#####")
HEIGHT = 5
INK = "\u2588"  # full block


def big(text, scale=1):
    """Lines (str) drawing text in block glyphs, 5*scale rows tall.

    Letters are upper-cased; a character outside the font is drawn as a box.
    """
    glyphs = [_FONT.get(ch, _UNKNOWN) for ch in str(text).upper()]
    lines = []
    for row in range(HEIGHT):
        cells = " ".join(g[row] for g in glyphs)
        line = "".join((INK if c == "#" else " ") * scale for c in cells).rstrip()
        lines.extend([line] * scale)
    return lines


def width(text, scale=1):
    """Columns big(text, scale) takes."""
    n = len(str(text))
    return (n * 6 - 1) * scale if n else 0
