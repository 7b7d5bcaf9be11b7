//! Reading decoded contract values (`contract_transcode::Value`, built from our metadata).
use anyhow::{anyhow, bail, Result};
pub use contract_transcode::Value;

/// A message's `Err(…)` result, rendered with its variant names (e.g. `Custom("RecipientNotVerified")`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractError(pub String);

impl std::fmt::Display for ContractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the contract refused: {}", self.0)
    }
}

impl std::error::Error for ContractError {}

/// The inner value of `Ok(x)`; `Err(e)` becomes a [`ContractError`]. Other values pass through.
pub fn ok(value: Value) -> Result<Value, ContractError> {
    match value {
        Value::Tuple(tuple) => match tuple.ident().as_deref() {
            Some("Ok") => Ok(single(tuple.values()).unwrap_or(Value::Unit)),
            Some("Err") => Err(ContractError(tuple.values().map(render).collect::<Vec<_>>().join(", "))),
            _ => Ok(Value::Tuple(tuple)),
        },
        other => Ok(other),
    }
}

/// `Some(x)` → `Some(x)`, `None` → `None`.
pub fn option(value: &Value) -> Option<&Value> {
    match value {
        Value::Tuple(tuple) if tuple.ident().as_deref() == Some("Some") => tuple.values().next(),
        _ => None,
    }
}

fn single<'a>(mut values: impl Iterator<Item = &'a Value>) -> Option<Value> {
    let first = values.next()?.clone();
    values.next().is_none().then_some(first)
}

/// An unsigned integer.
pub fn uint(value: &Value) -> Result<u128> {
    match value {
        Value::UInt(n) => Ok(*n),
        other => bail!("expected an unsigned integer, found {}", render(other)),
    }
}

/// A named field of a struct.
pub fn field<'a>(value: &'a Value, name: &str) -> Result<&'a Value> {
    match value {
        Value::Map(map) => map.get_by_str(name).ok_or_else(|| anyhow!("no field `{name}` in {}", render(value))),
        other => bail!("expected a struct with `{name}`, found {}", render(other)),
    }
}

/// An unsigned integer field of a struct.
pub fn uint_field(value: &Value, name: &str) -> Result<u128> {
    uint(field(value, name)?)
}

/// The elements of a sequence.
pub fn seq(value: &Value) -> Result<&[Value]> {
    match value {
        Value::Seq(seq) => Ok(seq.elems()),
        other => bail!("expected a sequence, found {}", render(other)),
    }
}

/// The elements of a tuple (an unnamed one, as a message returning `(A, B, …)` gives).
pub fn tuple(value: &Value) -> Result<Vec<&Value>> {
    match value {
        Value::Tuple(tuple) if tuple.ident().is_none() => Ok(tuple.values().collect()),
        other => bail!("expected a tuple, found {}", render(other)),
    }
}

/// Bytes, whether the transcoder shows them as hex or as a sequence of numbers.
pub fn bytes(value: &Value) -> Result<Vec<u8>> {
    match value {
        Value::Hex(hex) => Ok(hex.bytes().to_vec()),
        Value::Seq(seq) => seq.elems().iter().map(|b| Ok(u8::try_from(uint(b)?)?)).collect(),
        other => bail!("expected bytes, found {}", render(other)),
    }
}

/// An account as SS58: the transcoder decodes some as SS58 text, others (inside sequences and
/// tuples) as `AccountId([u8; 32])`.
pub fn account(value: &Value) -> Result<String> {
    let raw = match value {
        Value::Literal(text) | Value::String(text) => return Ok(text.clone()),
        Value::Tuple(tuple) if tuple.ident().as_deref() == Some("AccountId") => single(tuple.values()).ok_or_else(|| anyhow!("an AccountId holds one value"))?,
        other => other.clone(),
    };
    let key = <[u8; 32]>::try_from(bytes(&raw)?).map_err(|_| anyhow!("an account is 32 bytes, found {}", render(value)))?;
    Ok(subxt::utils::AccountId32::from(key).to_string())
}

/// An account (rendered by the transcoder as SS58) or any other literal, as text.
pub fn text(value: &Value) -> String {
    match value {
        Value::Literal(s) | Value::String(s) => s.clone(),
        other => render(other),
    }
}

/// One line for people: `Ok`/`Some` wrappers dropped, variant and field names kept.
pub fn render(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Char(c) => c.to_string(),
        Value::UInt(n) => n.to_string(),
        Value::Int(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Literal(s) => s.clone(),
        Value::Hex(hex) => hex.as_str().to_string(),
        Value::Unit => "()".into(),
        Value::Seq(seq) => match hash_bytes(seq.elems()) {
            Some(bytes) => hex0x(&bytes),
            None => format!("[{}]", seq.elems().iter().map(render).collect::<Vec<_>>().join(", ")),
        },
        Value::Map(map) => {
            let fields: Vec<_> = map.iter().map(|(k, v)| format!("{}: {}", text(k), render(v))).collect();
            format!("{}{{ {} }}", map.ident().map(|i| format!("{i} ")).unwrap_or_default(), fields.join(", "))
        }
        Value::Tuple(tuple) if tuple.ident().as_deref() == Some("AccountId") && account(value).is_ok() => account(value).unwrap_or_default(),
        Value::Tuple(tuple) => {
            let values: Vec<_> = tuple.values().map(render).collect();
            match (tuple.ident(), values.len()) {
                (Some(ident), 1) if ident == "Ok" || ident == "Some" => values.join(""),
                (Some(ident), 0) => ident,
                (ident, _) => format!("{}({})", ident.unwrap_or_default(), values.join(", ")),
            }
        }
    }
}

/// Bytes as 0x-prefixed hex, the form hashes take in our files and arguments.
pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// 32 numbers that all fit a byte: a hash, shown as hex.
fn hash_bytes(elems: &[Value]) -> Option<Vec<u8>> {
    if elems.len() != 32 {
        return None;
    }
    elems.iter().map(|e| if let Value::UInt(n) = e { u8::try_from(*n).ok() } else { None }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract_transcode::Tuple;

    fn variant(name: &str, values: Vec<Value>) -> Value {
        Value::Tuple(Tuple::new(Some(name), values))
    }

    #[test]
    fn ok_unwraps_and_err_keeps_the_variant_names() {
        let refused = variant("Err", vec![variant("Custom", vec![Value::String("RecipientNotVerified".into())])]);
        assert_eq!(ok(refused), Err(ContractError("Custom(\"RecipientNotVerified\")".into())));
        let accepted = variant("Ok", vec![Value::UInt(7)]);
        assert_eq!(uint(&ok(accepted).expect("ok")).expect("uint"), 7);
        assert_eq!(render(&variant("Err", vec![variant("NotOwner", vec![])])), "Err(NotOwner)");
    }

    #[test]
    fn fields_are_read_by_name_and_missing_ones_are_named() {
        let totals = Value::Map([("held", 5), ("fees", 2)].into_iter().map(|(k, v)| (Value::String(k.into()), Value::UInt(v))).collect());
        assert_eq!(uint_field(&totals, "held").expect("held"), 5);
        let missing = uint_field(&totals, "released").expect_err("missing");
        assert!(missing.to_string().contains("no field `released`"), "{missing}");
        assert_eq!(render(&totals), "{ held: 5, fees: 2 }");
    }

    #[test]
    fn hashes_render_as_hex() {
        let hash = Value::Seq(vec![Value::UInt(0xab); 32].into());
        assert_eq!(render(&hash), format!("0x{}", "ab".repeat(32)));
        assert_eq!(render(&Value::Seq(vec![Value::UInt(1), Value::UInt(300)].into())), "[1, 300]");
    }

    #[test]
    fn tuples_give_their_elements() {
        let parties = Value::Tuple(Tuple::new(None, vec![Value::Literal("5Grw".into()), Value::UInt(2)]));
        let elements = tuple(&parties).expect("tuple");
        assert_eq!((text(elements[0]), uint(elements[1]).expect("uint")), ("5Grw".to_string(), 2));
        assert!(tuple(&variant("Some", vec![Value::UInt(3)])).is_err(), "a variant is not a plain tuple");
    }

    #[test]
    fn accounts_read_as_ss58_however_decoded() {
        let eve = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw";
        let key = hex::decode("e659a7a1628cdd93febc04a4e0646ea20e9f5f0ce097d9a05290d4a9e054df4e").expect("hex");
        let wrapped = Value::Tuple(Tuple::new(Some("AccountId"), vec![Value::Seq(key.iter().map(|b| Value::UInt(u128::from(*b))).collect::<Vec<_>>().into())]));
        assert_eq!(account(&wrapped).expect("wrapped"), eve);
        assert_eq!(account(&Value::Literal(eve.into())).expect("literal"), eve);
        assert_eq!(render(&Value::Seq(vec![wrapped].into())), format!("[{eve}]"));
        assert!(account(&Value::UInt(1)).is_err());
    }

    #[test]
    fn option_reads_some_and_none() {
        assert!(option(&variant("None", vec![])).is_none());
        assert_eq!(option(&variant("Some", vec![Value::UInt(3)])).map(render), Some("3".into()));
    }
}
