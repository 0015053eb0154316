package dev.kairos.factory.examples.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One problem with a request: where ({@code path}, a JSON path such as {@code $.version}; for the
 * text of a field, also {@code line} and {@code column} in it, from 1) and what.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Finding(String path, Integer line, Integer column, String message) {
  static Finding at(String path, String message) {
    return new Finding(path, null, null, message);
  }
}
