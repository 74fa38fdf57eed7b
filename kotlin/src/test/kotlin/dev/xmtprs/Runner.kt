package dev.xmtprs

import java.io.File
import java.util.jar.JarFile
import kotlin.system.exitProcess
import org.junit.runner.Description
import org.junit.runner.JUnitCore
import org.junit.runner.notification.Failure
import org.junit.runner.notification.RunListener

/**
 * Runs every `*Test` class of the test jar (or those named as arguments) with JUnit 4, prints
 * each test's outcome and a final `N passed, N failed` line, and exits non-zero on failure.
 */
object Runner {
    @JvmStatic
    fun main(args: Array<String>) {
        val names = args.toList().ifEmpty {
            val jar = File(Runner::class.java.protectionDomain.codeSource.location.toURI())
            JarFile(jar).use { j ->
                j.entries().toList().map { it.name }
                    .filter { it.endsWith("Test.class") && '$' !in it }
                    .map { it.removeSuffix(".class").replace('/', '.') }
                    .sorted()
            }
        }
        val core = JUnitCore()
        core.addListener(object : RunListener() {
            private val started = HashMap<Description, Long>()
            private val failed = HashSet<Description>()
            override fun testStarted(d: Description) { started[d] = System.nanoTime() }
            override fun testFailure(f: Failure) {
                failed.add(f.description)
                println("FAIL ${f.description.displayName}\n" + f.trace.lines().filter { "dev.xmtprs" in it || !it.startsWith("\tat ") }.take(12).joinToString("\n"))
            }
            override fun testFinished(d: Description) {
                val ms = (System.nanoTime() - (started[d] ?: 0)) / 1_000_000
                if (d !in failed) println("ok   ${d.displayName} ($ms ms)")
            }
        })
        val result = core.run(*names.map { Class.forName(it) }.toTypedArray())
        val failed = result.failureCount
        println("${result.runCount - failed} passed, $failed failed")
        exitProcess(if (result.wasSuccessful() && result.runCount > 0) 0 else 1)
    }
}
