// The AAR: the Kotlin package (../src/main/kotlin), and what scripts/android.sh puts in build/:
// libxmtp_ffi.so for four ABIs (build/jniLibs) and the bindings generated from it
// (build/generated). UNTESTED: no Android SDK, NDK or Gradle where this was written.
plugins {
    id("com.android.library") version "8.7.3"
    kotlin("android") version "2.4.20" // the compiler scripts/kotlin.sh uses
}

android {
    namespace = "dev.xmtprs"
    compileSdk = 35
    defaultConfig {
        minSdk = 23
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].apply {
        kotlin.srcDirs("../src/main/kotlin", "build/generated")
        jniLibs.srcDirs("build/jniLibs")
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    // Stored uncompressed and page-aligned in the APK, so that they load in place (16 KB pages).
    packaging { jniLibs { useLegacyPackaging = false } }
}

kotlin { jvmToolchain(17) }

dependencies {
    // The Android JNA: it carries libjnidispatch.so for each ABI (the desktop jar does not).
    implementation("net.java.dev.jna:jna:5.13.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
}
