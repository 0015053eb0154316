package dev.kairos.factory.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UserNamespaceLaunchTest {
  @Test
  void aNormalUsersBuildAndInitRestartInANamespaceAndRootNeverDoes() {
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"build", "--from", "debootstrap:bookworm",
        "--version", "v1.0.0"}, false)).contains("build");
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"init", "--root", "r"}, false)).contains("init");
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"build-iso", "--root", "r", "-o", "x.iso"}, false))
        .contains("build-iso");
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"build", "--from", "dir:r"}, true)).isEmpty();
    assertThat(UserNamespaceLaunch.NEEDS).containsExactlyInAnyOrder("build", "init");
  }

  @Test
  void helpDryRunsAndVerbsThatTouchNoRootRunHere() {
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"build", "--help"}, false)).isEmpty();
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"build", "--from", "dir:r", "--dry-run"}, false))
        .isEmpty();
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"genkey", "me"}, false)).isEmpty();
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"steps-info"}, false)).isEmpty();
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {"--version"}, false)).isEmpty();
    assertThat(UserNamespaceLaunch.verbToRelaunch(new String[] {}, false)).isEmpty();
  }

  @Test
  void theInnerJvmIsThisOneAgainDyingWithItsParentWithTheUsersHome() {
    List<String> argv = UserNamespaceLaunch.innerCommand(new String[] {"build", "--version", "v1.0.0"});
    assertThat(argv.subList(0, 4)).containsExactly("setpriv", "--pdeathsig", "KILL", "--");
    assertThat(argv.get(4)).endsWith("java");
    assertThat(argv).contains("-Duser.home=" + System.getProperty("user.home"), KairosFactoryCli.class.getName());
    assertThat(argv.get(argv.indexOf("-cp") + 1)).isEqualTo(System.getProperty("java.class.path"));
    assertThat(argv.subList(argv.size() - 3, argv.size())).containsExactly("build", "--version", "v1.0.0");
  }

  @Test
  void theInnerJvmNamesFilesInUtf8WhateverTheUsersLocale() {
    assertThat(UserNamespaceLaunch.innerEnvironment("ANSI_X3.4-1968")).containsExactly(java.util.Map.entry("LC_ALL", "C.UTF-8"));
    assertThat(UserNamespaceLaunch.innerEnvironment(null)).containsEntry("LC_ALL", "C.UTF-8");
    assertThat(UserNamespaceLaunch.innerEnvironment("UTF-8")).isEmpty();
  }
}
