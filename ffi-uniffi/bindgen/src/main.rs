//! `uniffi-bindgen generate <library> --language kotlin --out-dir <dir>` (library mode).
fn main() {
    uniffi::uniffi_bindgen_main()
}
