"""Writes the corpus's binary workbooks from two of its markdown forms, as people's files are:
kobo_household_energy_legacy.xls (Excel 97-2003, xlwt 1.3.0) from kobo_household_energy.md, and
spec_multilanguage_libreoffice.ods (OpenDocument, odfpy 1.4.1) from spec_multilanguage.md. Cells
that read as whole numbers are written as numbers, as a spreadsheet program stores what is typed.
Run: python3 make_binaries.py (in this folder). Regenerating the .ods changes its bytes (odfpy
stamps the time); both forms set their version, so their expectations do not change."""

import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableRow, TableCell
from odf.text import P


def cells(line):
    inner = line.strip()[1:]
    out, cur, i = [], "", 0
    while i < len(inner):
        c = inner[i]
        if c == "\\" and inner[i + 1:i + 2] == "|":
            cur += "|"
            i += 2
            continue
        if c == "|":
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def sheets(path):
    out = []
    for line in open(path, encoding="utf-8"):
        if not line.lstrip().startswith("|"):
            continue
        c = cells(line)
        if c and c[0]:
            out.append((c[0], []))
            continue
        row = c[1:]
        while row and not row[-1]:
            row.pop()
        out[-1][1].append(row)
    return out


def value(v):
    return int(v) if v.isdigit() and not v.startswith("0") else v


def write_xls(src, dst):
    wb = xlwt.Workbook()
    for name, rows in sheets(src):
        ws = wb.add_sheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v != "":
                    ws.write(i, j, value(v))
    wb.save(dst)


def write_ods(src, dst):
    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets(src):
        t = Table(name=name)
        for row in rows:
            tr = TableRow()
            for v in row:
                v = value(v)
                if isinstance(v, int):
                    tc = TableCell(valuetype="float", value=v)
                else:
                    tc = TableCell(valuetype="string") if v != "" else TableCell()
                if v != "":
                    tc.addElement(P(text=str(v)))
                tr.addElement(tc)
            t.addElement(tr)
        doc.spreadsheet.addElement(t)
    doc.save(dst)


write_xls("kobo_household_energy.md", "kobo_household_energy_legacy.xls")
write_ods("spec_multilanguage.md", "spec_multilanguage_libreoffice.ods")
