package dev.kairos.factory.examples.cli;

import dev.kairos.factory.boot.api.secureboot.SecureBootKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genkey}: Secure Boot keys, as AuroraBoot's genkey. */
@Command(name = "genkey", description = "Generate Secure Boot keys: PK, KEK, db (PEM, DER, .esl, .auth).")
final class GenkeyCommand extends Verb {
  @Parameters(index = "0", paramLabel = "NAME", description = "Name put in the certificates' subjects.")
  String name;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Directory to write the keys to.")
  Path output;

  @Option(names = {"-e", "--expiration-in-days"}, paramLabel = "DAYS", defaultValue = "365",
      description = "Validity of the certificates (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--custom-cert-dir", paramLabel = "DIR", converter = Converters.ExistingDirectory.class,
      description = "Extra certificates (e.g. Microsoft's) to add to KEK and db.")
  Path customCertDir;

  @Override
  int run(Output out) throws Exception {
    SecureBootKeys.Builder b = SecureBootKeys.builder(name).validityDays(days);
    if (customCertDir != null) {
      b.microsoftCertificates(customCertDir);
    }
    Files.createDirectories(output);
    b.build().writeTo(output);
    List<String> files;
    try (Stream<Path> s = Files.list(output)) {
      files = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("directory", output.toString());
    result.put("files", files);
    out.result(result, "wrote " + String.join(" ", files) + " to " + output);
    return 0;
  }
}
