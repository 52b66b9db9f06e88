/**
 * Demo mode ({@code --demo}): the Apple simulator runs in-process with a sample organisation whose accounts are
 * registered at start, so a newcomer sees a working Orchard at once.
 */
package dev.orchard.server.demo;
