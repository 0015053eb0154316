package dev.kairos.factory.core.internal.yip;

import java.util.List;

/** The parsed form of a template: nodes of text and actions, and the expressions of pipelines. */
final class TemplateTree {
  private TemplateTree() {}

  /** A piece of a template. */
  sealed interface Node permits TextNode, PrintNode, IfNode, RangeNode, WithNode {}

  /** Text printed as it is. */
  record TextNode(String text) implements Node {}

  /** {@code {{ pipeline }}}: prints the pipeline's value. */
  record PrintNode(List<List<Expr>> pipeline) implements Node {}

  /** {@code {{ if }}}; an {@code else if} is an {@code IfNode} alone in {@code otherwise}. */
  record IfNode(List<List<Expr>> cond, List<Node> then, List<Node> otherwise) implements Node {}

  /** {@code {{ range }}}: {@code otherwise} runs when there is nothing to iterate. */
  record RangeNode(List<List<Expr>> over, List<Node> body, List<Node> otherwise) implements Node {}

  /** {@code {{ with }}}: {@code body} runs with the value as dot when it is true. */
  record WithNode(List<List<Expr>> value, List<Node> body, List<Node> otherwise) implements Node {}

  /** An operand of a command. */
  sealed interface Expr permits Field, Literal, Ident, Sub {}

  /** {@code .a.b} (root false) or {@code $.a.b} (root true); empty names is dot itself. */
  record Field(boolean root, List<String> names) implements Expr {}

  /** A string, number, boolean or nil. */
  record Literal(Object value) implements Expr {}

  /** A function name. */
  record Ident(String name) implements Expr {}

  /** {@code (pipeline).field...}. */
  record Sub(List<List<Expr>> pipeline, List<String> fields) implements Expr {}
}
