"""Prints the `data` of `cargo contract call --output-json` as one readable line.

cargo-contract renders SCALE values as a tree (Tuple/Map/UInt/...); this flattens it:
`Ok(x)` and `Some(x)` show as `x`, errors keep their variant path, e.g. `Err(Custom(RecipientNotVerified))`.
"""
import json
import sys


def render(value):
    if not isinstance(value, dict):
        return str(value)
    kind, inner = next(iter(value.items()))
    if kind in ("UInt", "Int", "Bool", "String", "Literal", "Char"):
        return str(inner)
    if kind == "Hex":
        return inner.get("s", str(inner)) if isinstance(inner, dict) else str(inner)
    if kind == "Map":
        return "{" + ", ".join(f"{k}: {render(v)}" for k, v in inner.items()) + "}"
    if kind == "Seq":
        elems = inner.get("elems", []) if isinstance(inner, dict) else inner
        return "[" + ", ".join(render(v) for v in elems) + "]"
    if kind == "Tuple":
        ident, values = inner.get("ident"), [render(v) for v in inner.get("values", [])]
        if ident in ("Ok", "Some") and len(values) == 1:
            return values[0]
        if not values:
            return ident or "()"
        return f"{ident or ''}({', '.join(values)})"
    return json.dumps(value)


if __name__ == "__main__":
    document = json.load(sys.stdin)
    print(render(document.get("data", document)))
