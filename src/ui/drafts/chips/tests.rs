use super::*;

const SOURCE: &str = "# 总体情况\n全年{{ figure(\"a\") }}条，{% if has(\"b\") %}另有{{ figure(\"b\") }}件{% endif %}。\n";

fn values() -> ChipValues {
    Arc::new(
        [
            ("{{ figure(\"a\") }}", "1725"),
            ("{{ figure(\"b\") }}", "12"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), ChipValue::Text(v.to_string())))
        .collect(),
    )
}

fn buffer() -> ChipBuffer {
    ChipBuffer::new(SOURCE, values())
}

fn pos(b: &ChipBuffer, needle: &str) -> usize {
    b.text()[..b.text().find(needle).unwrap()].chars().count()
}

#[test]
fn the_shown_text_has_values_and_labels_and_no_template_syntax() {
    let b = buffer();
    assert_eq!(
        b.text(),
        "一、总体情况\n全年1725条，〔有数据时才显示〕另有12件〔条件结束〕。\n"
    );
    assert_eq!(b.source(), SOURCE);
}

#[test]
fn typing_inside_a_chip_types_at_its_edge_and_backspace_deletes_it_whole() {
    let mut b = buffer();
    let chip = pos(&b, "1725");
    // Inside the chip (between 17 and 25): the text goes after it, the cursor too.
    let moved = b.insert_text("多", CharIndex(chip + 2));
    assert_eq!(chip + 2 + moved, chip + 5);
    assert!(
        b.source().contains("{{ figure(\"a\") }}多条"),
        "{}",
        b.source()
    );
    assert_eq!(b.take_edit(), Some(EditKind::Typing));
    // One Backspace right after the chip deletes all of it.
    let end = chip + 4;
    let at = b.delete_previous_char(CCursor::new(end));
    assert_eq!(at.index.0, chip);
    assert_eq!(b.source(), SOURCE.replace("{{ figure(\"a\") }}", "多"));
    assert_eq!(b.take_edit(), Some(EditKind::Structural));
}

#[test]
fn a_condition_survives_edits_inside_it_and_goes_only_as_a_whole() {
    let mut b = buffer();
    // Backspace on the 〔条件结束〕 marker: nothing happens.
    let end = pos(&b, "。");
    b.delete_previous_char(CCursor::new(end));
    assert_eq!(b.source(), SOURCE);
    // Selecting from inside the condition to the end keeps the tags.
    let from = pos(&b, "另有");
    b.delete_char_range(CharIndex(from)..CharIndex(end + 1));
    assert_eq!(
        b.source(),
        "# 总体情况\n全年{{ figure(\"a\") }}条，{% if has(\"b\") %}{% endif %}\n"
    );
    // The whole block selected goes with its tags.
    let mut b = buffer();
    let from = pos(&b, "〔有数据");
    b.delete_char_range(CharIndex(from)..CharIndex(end));
    assert_eq!(b.source(), "# 总体情况\n全年{{ figure(\"a\") }}条，。\n");
}

#[test]
fn typing_at_a_headings_start_keeps_it_a_heading() {
    let mut b = buffer();
    let moved = b.insert_text("新", CharIndex(0));
    assert_eq!(b.source(), SOURCE.replace("# 总体", "# 新总体"));
    assert_eq!(
        moved, 3,
        "the cursor goes after the number and the new character"
    );
    // Enter at the start pushes the heading down.
    b.insert_text("\n", CharIndex(0));
    assert!(b.source().starts_with("\n# 新总体"));
}

#[test]
fn chips_are_inserted_and_text_replaced_only_in_prose() {
    let mut b = buffer();
    let at = pos(&b, "条，");
    let end = b.insert_chip("{{ yoy(\"a\") }}", at);
    assert!(
        b.source().contains("}}{{ yoy(\"a\") }}条"),
        "{}",
        b.source()
    );
    assert_eq!(end, at + "〔…〕".chars().count());
    let mut b = buffer();
    assert_eq!(b.replace_all("全年", "本年"), 1);
    assert_eq!(b.replace_all("figure", "x"), 0, "never inside a chip");
    assert!(b.source().starts_with("# 总体情况\n本年{{ figure"));
}

#[test]
fn word_paragraphs_are_pasted_as_paragraphs() {
    assert_eq!(paste_as_paragraphs("一句"), "一句");
    assert_eq!(
        paste_as_paragraphs("　　第一段。\r\n\r\n　　第二段。\r\n"),
        "第一段。\n\n第二段。\n\n"
    );
    let mut b = ChipBuffer::new("", values());
    b.insert_text("甲\r\n乙", CharIndex(0));
    assert_eq!(b.source(), "甲\n\n乙");
}
