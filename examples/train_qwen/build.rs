//! Gives the binary an rpath to libtorch (see crates/codequal-grpo/build.rs,
//! which publishes the directory as DEP_CODEQUAL_GRPO_LIBTORCH_LIB).

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_CODEQUAL_GRPO_LIBTORCH_LIB");
    if let Ok(lib) = std::env::var("DEP_CODEQUAL_GRPO_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
        if std::path::Path::new(&lib).join("libtorch_cuda.so").exists() {
            println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
            println!("cargo:rustc-link-arg=-ltorch_cuda");
            println!("cargo:rustc-link-arg=-Wl,--as-needed");
        }
    }
}
