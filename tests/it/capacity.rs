//! On-demand capacity units of one DynamoDB request, from its JSON request and response by
//! DynamoDB's documented rules, because moto reports fixed placeholder figures:
//! - item size: the sum of attribute name lengths and value sizes (strings as UTF-8 bytes,
//!   binary as raw bytes, numbers about one byte per two digits plus one, maps and lists 3
//!   bytes plus their members);
//! - writes: one write request unit (WRU) per started KB of each item written, twice within a
//!   transaction (condition checks included);
//! - reads: half a read request unit (RRU) per started 4 KB, eventually consistent, one when
//!   consistent, twice within a transaction; a Query rounds its items' total, a batch each item.
//!
//! UpdateItem and Delete are charged by DynamoDB on the larger of the item before and after;
//! the request carries only the key and the new values, so they count as what those come to
//! (at least one unit): a lower bound, exact for items under 1 KB.

use base64::Engine;
use serde_json::Value;

/// Capacity consumed by one request.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Units {
    pub write: f64,
    pub read: f64,
}

impl std::ops::AddAssign for Units {
    fn add_assign(&mut self, other: Units) {
        self.write += other.write;
        self.read += other.read;
    }
}

fn value_size(v: &Value) -> usize {
    let Some((kind, inner)) = v.as_object().and_then(|o| o.iter().next()) else {
        return 0;
    };
    match kind.as_str() {
        "S" => inner.as_str().map_or(0, str::len),
        "B" => inner.as_str().map_or(0, |b| {
            base64::engine::general_purpose::STANDARD.decode(b).map_or(b.len(), |d| d.len())
        }),
        "N" => inner.as_str().map_or(1, |n| n.trim_start_matches('-').len().div_ceil(2) + 1),
        "BOOL" | "NULL" => 1,
        "SS" | "NS" | "BS" | "L" => {
            3 + inner.as_array().map_or(0, |xs| {
                xs.iter()
                    .map(|x| {
                        if kind == "L" { value_size(x) + 1 } else { x.as_str().map_or(0, str::len) }
                    })
                    .sum()
            })
        }
        "M" => 3 + inner.as_object().map_or(0, |m| item_size_of(m) + m.len()),
        _ => 0,
    }
}

fn item_size_of(item: &serde_json::Map<String, Value>) -> usize {
    item.iter().map(|(name, v)| name.len() + value_size(v)).sum()
}

/// The size of an item (`{"attr": {"S": "…"}, …}`) in bytes.
pub fn item_size(item: &Value) -> usize {
    item.as_object().map_or(0, item_size_of)
}

fn write_units(bytes: usize) -> f64 {
    bytes.div_ceil(1024).max(1) as f64
}

fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(4096).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

/// An update's or delete's size as far as the request shows it: the key and any values.
fn keyed_size(op: &Value) -> usize {
    item_size(&op["Key"]) + item_size(&op["ExpressionAttributeValues"])
}

/// The capacity `operation` consumed, given its request and response bodies.
pub fn units(operation: &str, request: &Value, response: &Value) -> Units {
    let consistent = request["ConsistentRead"].as_bool() == Some(true);
    match operation {
        "PutItem" => Units { write: write_units(item_size(&request["Item"])), read: 0.0 },
        "UpdateItem" | "DeleteItem" => Units { write: write_units(keyed_size(request)), read: 0.0 },
        "GetItem" => {
            Units { write: 0.0, read: read_units(item_size(&response["Item"]), consistent) }
        }
        "Query" | "Scan" => {
            let total = response["Items"].as_array().map_or(0, |xs| xs.iter().map(item_size).sum());
            Units { write: 0.0, read: read_units(total, consistent) }
        }
        "BatchGetItem" => {
            let read = response["Responses"].as_object().map_or(0.0, |tables| {
                tables
                    .values()
                    .flat_map(|items| items.as_array().cloned().unwrap_or_default())
                    .map(|item| read_units(item_size(&item), false))
                    .sum()
            });
            Units { write: 0.0, read }
        }
        "BatchWriteItem" => {
            let write = request["RequestItems"].as_object().map_or(0.0, |tables| {
                tables
                    .values()
                    .flat_map(|reqs| reqs.as_array().cloned().unwrap_or_default())
                    .map(|r| match r.get("PutRequest") {
                        Some(put) => write_units(item_size(&put["Item"])),
                        None => write_units(item_size(&r["DeleteRequest"]["Key"])),
                    })
                    .sum()
            });
            Units { write, read: 0.0 }
        }
        "TransactWriteItems" => {
            let write = request["TransactItems"].as_array().map_or(0.0, |items| {
                items
                    .iter()
                    .map(|t| {
                        let size = match t.get("Put") {
                            Some(put) => item_size(&put["Item"]),
                            None => ["Update", "Delete", "ConditionCheck"]
                                .iter()
                                .find_map(|k| t.get(*k))
                                .map_or(0, keyed_size),
                        };
                        2.0 * write_units(size)
                    })
                    .sum()
            });
            Units { write, read: 0.0 }
        }
        "TransactGetItems" => {
            let read = response["Responses"].as_array().map_or(0.0, |items| {
                items.iter().map(|r| 2.0 * read_units(item_size(&r["Item"]), true)).sum()
            });
            Units { write: 0.0, read }
        }
        _ => Units::default(),
    }
}

#[test]
fn units_follow_the_documented_rules() {
    let item = serde_json::json!({"pk": {"S": "a".repeat(1500)}, "n": {"N": "12345"}});
    assert_eq!(item_size(&item), 2 + 1500 + 1 + 4);
    let put = units("PutItem", &serde_json::json!({"Item": item}), &Value::Null);
    assert_eq!(put, Units { write: 2.0, read: 0.0 });
    let txn = serde_json::json!({"TransactItems": [{"Put": {"Item": item}}, {"ConditionCheck": {"Key": {"pk": {"S": "x"}}}}]});
    assert_eq!(units("TransactWriteItems", &txn, &Value::Null).write, 2.0 * 2.0 + 2.0);
    let missing = units("GetItem", &serde_json::json!({}), &serde_json::json!({}));
    assert_eq!(missing.read, 0.5);
    let query = serde_json::json!({"Items": [item, item, item]});
    assert_eq!(units("Query", &serde_json::json!({}), &query).read, 1.0);
}
