/**
 * The part of DIR/train.py (pytorch-train-py.ts) that reads the CSV file as backprop does: its
 * numbers and class names, the delimiter, the columns, the data's fingerprint and the training rows.
 */
export const TRAIN_PY_DATA = String.raw`def parse_number(cell, delimiter):
    """The number in a cell as backprop reads it (a decimal comma when the delimiter is not a comma), or None."""
    s = cell
    if delimiter != "," and re.match(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$", s):
        s = s.replace(",", ".", 1)
    if not NUMBER.match(s):
        return None
    v = float(s)
    return v if math.isfinite(v) else None


def class_name(cell, delimiter):
    """A class name as backprop keeps it: numbers written canonically ("1.0" is "1")."""
    v = parse_number(cell, ",")
    if v is None:
        return cell
    if v == int(v) and abs(v) < 1e21:
        return str(int(v))
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", repr(v))


def detect_delimiter(lines):
    """Comma, semicolon or tab: the one that splits the first rows evenly, and into the most fields."""
    best, best_score = ",", -1
    for d in (",", ";", "\t"):
        rows = [r for r in csv.reader(lines, delimiter=d) if r]
        if not rows or len(rows[0]) < 2:
            continue
        score = (1e6 if all(len(r) == len(rows[0]) for r in rows) else 0) + len(rows[0])
        if score > best_score:
            best, best_score = d, score
    return best


def find_column(header, name):
    if name in header:
        return header.index(name)
    matches = [j for j, h in enumerate(header) if h.lower() == name.lower()]
    return matches[0] if len(matches) == 1 else -1


class Fingerprint:
    """backprop's fingerprint of a table's cells (FNV-1a, 32 bits, over UTF-16 code units), to recognise its training file."""

    def __init__(self):
        self.h = 0x811C9DC5

    def add(self, cell):
        units = array.array("H", cell.encode("utf-16-le"))
        if sys.byteorder == "big":
            units.byteswap()
        h = self.h
        for u in units:
            h = ((h ^ u) * 0x01000193) & 0xFFFFFFFF
        self.h = ((h ^ 0x1F) * 0x01000193) & 0xFFFFFFFF
        return self

    def hex(self):
        return "%08x" % self.h


def training_rows(n, fingerprint, spec, all_rows):
    """The rows to train on: all, or, in the file the model was trained on, all but its test rows."""
    data, test = spec["data"], spec["training"]["testRows"]
    if all_rows or not test or n != data["rows"] or fingerprint != data["fingerprint"]:
        return None
    left_out = set(test)
    return [i for i in range(n) if i not in left_out]


def read_data(path, spec):
    """The rows of a CSV file as the model sees them: scaled features X, and targets Y (one-hot classes,
    or scaled values), and the table's fingerprint."""
    data, pre = spec["data"], spec["preprocessing"]
    name = os.path.basename(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            head = [line for _, line in zip(range(50), f)]
            f.seek(0)
            delimiter = detect_delimiter(head)
            rows = csv.reader(f, delimiter=delimiter)
            header = [h.strip() or "column_%d" % (j + 1) for j, h in enumerate(next(rows, []))]
            fingerprint = Fingerprint()
            for h in header:
                fingerprint.add(h)
            cols = [find_column(header, c) for c in data["features"]]
            if -1 in cols:
                missing = [c for c, j in zip(data["features"], cols) if j < 0]
                raise InputError("%s lacks the column(s) %s the model was trained on" % (name, ", ".join(repr(m) for m in missing)))
            t = find_column(header, data["target"])
            if t < 0:
                raise InputError("%s has no target column %r: training needs it" % (name, data["target"]))
            features, targets = read_rows(rows, name, header, cols, t, data, delimiter, fingerprint)
    except OSError as e:
        raise InputError("cannot read data file %s: %s" % (path, e.strerror or e))
    if not targets:
        raise InputError("%s has no data rows below its header" % name)
    n, k = len(targets), len(cols)
    X = torch.tensor(features, dtype=torch.float64).reshape(n, k)
    X = (X - torch.tensor(pre["features"]["shift"], dtype=torch.float64)) / torch.tensor(pre["features"]["scale"], dtype=torch.float64)
    if data["kind"] == "classification":
        labels = torch.tensor(targets, dtype=torch.long)
        Y = torch.nn.functional.one_hot(labels, len(data["classes"])).to(torch.float64)
    else:
        labels = None
        target = pre["target"]
        Y = (torch.tensor(targets, dtype=torch.float64).reshape(n, 1) - target["shift"][0]) / target["scale"][0]
    return X.float(), Y.float(), labels, fingerprint.hex()


def read_rows(rows, name, header, cols, t, data, delimiter, fingerprint):
    """The feature values (flat) and the targets (class indices, or values) of every data row."""
    classes = {c: i for i, c in enumerate(data.get("classes") or [])}
    features, targets = [], []
    for row in rows:
        if not row or (len(row) == 1 and row[0].strip() == ""):
            continue
        line = rows.line_num
        if len(row) != len(header):
            raise InputError("%s row %d has %d values, expected %d (one per column of the header)" % (name, line, len(row), len(header)))
        for cell in row:
            fingerprint.add(cell.strip())
        for j in cols:
            v = parse_number(row[j].strip(), delimiter)
            if v is None:
                raise InputError("%s row %d, column %d (%r): expected a number, got %r" % (name, line, j + 1, header[j], row[j].strip()))
            features.append(v)
        cell = row[t].strip()
        if data["kind"] == "classification":
            k = classes.get(class_name(cell, delimiter))
            if k is None:
                raise InputError("%s row %d, column %d (%r): class %r was not among the model's classes (%s)" % (name, line, t + 1, header[t], cell, ", ".join(classes)))
            targets.append(k)
        else:
            v = parse_number(cell, delimiter)
            if v is None:
                raise InputError("%s row %d, column %d (%r): expected a number, got %r" % (name, line, t + 1, header[t], cell))
            targets.append(v)
    return features, targets


`;
