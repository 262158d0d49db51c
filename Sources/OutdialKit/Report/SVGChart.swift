/// Small SVG charts drawn from report figures: no script, no external file.
/// Colours come from the page's CSS classes (`bar`, `bar-alt`, `cell`, `axis`,
/// `label`), so one chart reads in light, dark and print.
enum SVGChart {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// Horizontal bars: one per item, its value's share of `maximum`, the caption at its end.
    static func bars(id: String, title: String, items: [(label: String, value: Double, caption: String)], maximum: Double? = nil) -> String {
        let rowHeight = 22.0
        let labelWidth = 150.0
        let barWidth = 420.0
        let height = Double(items.count) * rowHeight + 8
        let top = maximum ?? items.map(\.value).max() ?? 0
        var svg = open(id: id, title: title, width: labelWidth + barWidth + 120, height: height)
        for (i, item) in items.enumerated() {
            let y = Double(i) * rowHeight + 4
            let width = top > 0 ? max(item.value / top * barWidth, item.value > 0 ? 1 : 0) : 0
            svg += "<text class=\"label\" x=\"\(format(labelWidth - 8))\" y=\"\(format(y + 15))\" text-anchor=\"end\">\(escape(item.label))</text>"
            svg +=
                "<rect class=\"bar\" x=\"\(format(labelWidth))\" y=\"\(format(y + 3))\" width=\"\(format(width))\" height=\"16\"><title>\(escape(item.label)): \(escape(item.caption))</title></rect>"
            svg += "<text class=\"label\" x=\"\(format(labelWidth + width + 6))\" y=\"\(format(y + 15))\">\(escape(item.caption))</text>"
        }
        return svg + "</svg>"
    }

    /// Vertical columns over an axis of labels (hours, days, buckets).
    static func columns(id: String, title: String, items: [(label: String, value: Double?, caption: String)], maximum: Double? = nil) -> String {
        let columnWidth = max(18.0, min(60.0, 700.0 / Double(max(items.count, 1))))
        let plotHeight = 160.0
        let width = columnWidth * Double(items.count) + 50
        let top = maximum ?? items.compactMap(\.value).max() ?? 0
        var svg = open(id: id, title: title, width: width, height: plotHeight + 40)
        svg += "<line class=\"axis\" x1=\"40\" y1=\"\(format(plotHeight + 10))\" x2=\"\(format(width))\" y2=\"\(format(plotHeight + 10))\"/>"
        svg += "<text class=\"label small\" x=\"36\" y=\"16\" text-anchor=\"end\">\(escape(top <= 1 && maximum == 1 ? "100%" : format(top)))</text>"
        for (i, item) in items.enumerated() {
            let x = 40 + Double(i) * columnWidth
            if let value = item.value, top > 0 {
                let h = max(value / top * plotHeight, value > 0 ? 1 : 0)
                svg +=
                    "<rect class=\"bar\" x=\"\(format(x + 2))\" y=\"\(format(plotHeight + 10 - h))\" width=\"\(format(columnWidth - 4))\" height=\"\(format(h))\"><title>\(escape(item.label)): \(escape(item.caption))</title></rect>"
            }
            svg +=
                "<text class=\"label small\" x=\"\(format(x + columnWidth / 2))\" y=\"\(format(plotHeight + 26))\" text-anchor=\"middle\">\(escape(item.label))</text>"
        }
        return svg + "</svg>"
    }

    /// Stacked columns (one series per class name), e.g. sentiment per day.
    static func stacked(id: String, title: String, labels: [String], series: [(name: String, className: String, values: [Int])]) -> String {
        let columnWidth = max(24.0, min(60.0, 700.0 / Double(max(labels.count, 1))))
        let plotHeight = 160.0
        let width = columnWidth * Double(labels.count) + 50
        let totals = labels.indices.map { i in series.reduce(0) { $0 + $1.values[i] } }
        let top = Double(totals.max() ?? 0)
        var svg = open(id: id, title: title, width: max(width, 320), height: plotHeight + 60)
        svg += "<line class=\"axis\" x1=\"40\" y1=\"\(format(plotHeight + 10))\" x2=\"\(format(width))\" y2=\"\(format(plotHeight + 10))\"/>"
        for (i, label) in labels.enumerated() {
            let x = 40 + Double(i) * columnWidth
            var base = plotHeight + 10
            for s in series where top > 0 && s.values[i] > 0 {
                let h = Double(s.values[i]) / top * plotHeight
                base -= h
                svg +=
                    "<rect class=\"\(s.className)\" x=\"\(format(x + 2))\" y=\"\(format(base))\" width=\"\(format(columnWidth - 4))\" height=\"\(format(h))\"><title>\(escape(label)) \(escape(s.name)): \(s.values[i])</title></rect>"
            }
            svg +=
                "<text class=\"label small\" x=\"\(format(x + columnWidth / 2))\" y=\"\(format(plotHeight + 26))\" text-anchor=\"middle\">\(escape(String(label.suffix(5))))</text>"
        }
        var legendX = 40.0
        for s in series {
            svg += "<rect class=\"\(s.className)\" x=\"\(format(legendX))\" y=\"\(format(plotHeight + 40))\" width=\"12\" height=\"12\"/>"
            svg += "<text class=\"label small\" x=\"\(format(legendX + 16))\" y=\"\(format(plotHeight + 50))\">\(escape(s.name))</text>"
            legendX += 90
        }
        return svg + "</svg>"
    }

    /// A grid of cells shaded by value (0…1 of the largest); empty cells are nil.
    static func heatmap(id: String, title: String, rows: [(label: String, cells: [(value: Double?, caption: String)])], columns: [String]) -> String {
        let cell = 24.0
        let labelWidth = 150.0
        let width = labelWidth + cell * Double(columns.count) + 10
        let height = cell * Double(rows.count) + 30
        let top = rows.flatMap { $0.cells.compactMap(\.value) }.max() ?? 0
        var svg = open(id: id, title: title, width: width, height: height)
        for (j, column) in columns.enumerated() {
            svg +=
                "<text class=\"label small\" x=\"\(format(labelWidth + Double(j) * cell + cell / 2))\" y=\"12\" text-anchor=\"middle\">\(escape(column))</text>"
        }
        for (i, row) in rows.enumerated() {
            let y = 18 + Double(i) * cell
            svg += "<text class=\"label\" x=\"\(format(labelWidth - 8))\" y=\"\(format(y + 16))\" text-anchor=\"end\">\(escape(row.label))</text>"
            for (j, c) in row.cells.enumerated() {
                let x = labelWidth + Double(j) * cell
                guard let value = c.value else {
                    svg +=
                        "<rect class=\"cell-empty\" x=\"\(format(x + 1))\" y=\"\(format(y + 1))\" width=\"\(format(cell - 2))\" height=\"\(format(cell - 2))\"/>"
                    continue
                }
                let opacity = top > 0 ? 0.15 + 0.85 * value / top : 0.15
                svg +=
                    "<rect class=\"cell\" fill-opacity=\"\((opacity * 100).rounded() / 100)\" x=\"\(format(x + 1))\" y=\"\(format(y + 1))\" width=\"\(format(cell - 2))\" height=\"\(format(cell - 2))\"><title>\(escape(row.label)) \(escape(columns[j])): \(escape(c.caption))</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    private static func open(id: String, title: String, width: Double, height: Double) -> String {
        "<svg data-chart=\"\(escape(id))\" role=\"img\" aria-label=\"\(escape(title))\" viewBox=\"0 0 \(format(width)) \(format(height))\" width=\"\(format(width))\" height=\"\(format(height))\">"
    }
}
