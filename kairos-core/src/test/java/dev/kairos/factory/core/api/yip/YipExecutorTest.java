package dev.kairos.factory.core.api.yip;

import dev.kairos.factory.core.api.fs.RootFs;
import dev.kairos.factory.core.testing.InMemoryRootFs;

/** The executor's cases on an in-memory root. */
class YipExecutorTest extends YipExecutorCases {
  @Override
  RootFs newRoot() {
    return InMemoryRootFs.create();
  }
}
