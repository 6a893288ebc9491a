package io.imagecache.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** The flags of the {@link ServeOption}s, shared by {@code serve} and {@code config}. */
final class ServeFlags {

  private ServeFlags() {}

  /** Adds one option per {@link ServeOption} to {@code spec}. */
  static CommandSpec addTo(CommandSpec spec) {
    for (ServeOption option : ServeOption.values()) {
      OptionSpec.Builder builder = OptionSpec.builder(option.flag())
          .description(option.description());
      if (option.isSwitch()) {
        builder.type(boolean.class).arity("0");
      } else {
        builder.type(String.class).arity("1").paramLabel(option.paramLabel());
      }
      spec.addOption(builder.build());
    }
    return spec;
  }

  /** Option name without dashes to the value, for the options given on the command line. */
  static Map<String, String> given(ParseResult parsed) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (ServeOption option : ServeOption.values()) {
      OptionSpec matched = parsed.matchedOption(option.flag());
      if (matched != null) {
        flags.put(option.optionName(),
            option.isSwitch() ? "true" : String.valueOf((Object) matched.getValue()));
      }
    }
    return flags;
  }
}
