// The Android library module of the Kotlin package (UNTESTED: see ../README.md, "Android").
// Built by scripts/android.sh once the native libraries and the bindings exist.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "xmtp-rs-android"
