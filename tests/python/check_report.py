#!/usr/bin/env python3
"""Checks a page of `codev report`: valid, self-contained HTML with every chart.

Usage: check_report.py FILE.html run|experiment|calibration [INDICATOR...]. Run by tests/test_report.cpp.
Parses the page with Python's html.parser (every element closed, in order), requires one <svg>
chart in each expected section (run: income, poverty, convergence, aid, counties; experiment:
effect and paired difference per summarised indicator; calibration: parameters and targets),
readable labels (county names in the
run's charts), and nothing that would reach the network (no script, no external source, link,
import or url()). Exit 0 when all hold.
"""
import re
import sys
from html.parser import HTMLParser

VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "source", "wbr"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.sections, self.section = [], [], {}, None
        self.svg_text, self.in_svg, self.external = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" or (tag == "link"):
            self.external.append(tag)
        for key in ("src", "href"):
            if key in attrs:
                self.external.append(f"{tag} {key}={attrs[key]}")
        if tag == "section":
            self.section = attrs.get("id")
            self.sections[self.section] = 0
        if tag == "svg":
            self.in_svg += 1
            if self.section is not None:
                self.sections[self.section] += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        # <line .../>, <meta .../>: opened and closed at once.
        if tag not in VOID:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "svg":
            self.in_svg -= 1
        if tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.in_svg:
            self.svg_text.append(data)


def require(condition, message):
    if not condition:
        print("check_report: FAILED:", message)
        sys.exit(1)


def main(path, kind, indicators):
    text = open(path, encoding="utf-8").read()
    require(text.startswith("<!DOCTYPE html>"), "doctype")
    page = Page()
    page.feed(text)
    page.close()
    require(not page.errors, f"malformed: {page.errors[:3]}")
    require(page.stack == [], f"unclosed elements: {page.stack}")
    require(not page.external, f"reaches outside the page: {page.external}")
    require(not re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", text),
            "no url(), @import or web address besides the SVG namespace")
    if kind == "run":
        expected = ["chart-income", "chart-poverty", "chart-convergence", "chart-aid",
                    "chart-counties"]
    elif kind == "calibration":
        expected = ["chart-parameters", "chart-targets"]
    else:
        expected = [f"chart-{part}-{name}" for name in indicators for part in ("effect", "diff")]
    for section in expected:
        require(page.sections.get(section, 0) >= 1, f"section {section} with a chart")
    labels = " ".join(page.svg_text)
    if kind == "run":
        for name in ["Shiqu 石渠县", "Batang 巴塘县", "Jinniu \u2192 Shiqu"]:
            require(name in labels, f"chart label {name!r}")
        require("2.02e+03" not in text, "years written as years")
    elif kind == "calibration":
        # indicators: the parameter and target names the charts must label
        for name in indicators:
            require(name in labels, f"chart label {name!r}")
        require("held out" in text and "fitted" in text, "in-sample and held-out targets told apart")
    else:
        require("no_aid" in labels and "aid" in labels, "variant names in the charts")
    print(f"check_report: OK ({kind}, {sum(page.sections.values())} charts)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
