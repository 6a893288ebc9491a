package io.imagecache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What {@code config} shows of a secret: nothing of the token, the URL without its password. */
class SettingValuesTest {
  private static final Pattern SECRET_WORDS = Pattern.compile("token|password|secret");

  @Test
  void tokensAreHiddenButTheirAbsenceIsShown() {
    assertThat(SettingValues.masked(ServeOption.ADMIN_TOKEN, "t0ken")).isEqualTo("(secret)");
    assertThat(SettingValues.masked(ServeOption.ORIGIN_TOKEN, "none")).isEqualTo("none");
  }

  @Test
  void aPasswordInTheDatabaseUrlIsHiddenWhereverItIsWritten() {
    assertThat(SettingValues.masked(ServeOption.DB_URL,
            "jdbc:postgresql://db/ic?user=ic&PASSWORD=a$b\\c&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/ic?user=ic&PASSWORD=(secret)&ssl=true");
    assertThat(SettingValues.masked(ServeOption.DB_URL, "jdbc:postgresql://ic:pw@db:5432/ic"))
        .isEqualTo("jdbc:postgresql://ic:(secret)@db:5432/ic");
    assertThat(SettingValues.masked(ServeOption.DB_URL, "jdbc:postgresql://db/ic?user=ic"))
        .isEqualTo("jdbc:postgresql://db/ic?user=ic");
  }

  @Test
  void otherValuesAreShownAsTheyAre() {
    assertThat(SettingValues.masked(ServeOption.ORIGIN, "http://origin/{id}"))
        .isEqualTo("http://origin/{id}");
  }

  /**
   * Every option named like a secret (token, password, secret), those added later included, is
   * treated as one: masked by {@code config}, and has its {@code -file} twin.
   */
  @Test
  void everyOptionNamedLikeASecretIsMasked() {
    List<ServeOption> secretLooking = Arrays.stream(ServeOption.values())
        .filter(option -> !option.optionName().endsWith("-file"))
        .filter(option -> SECRET_WORDS.matcher(option.optionName()).find())
        .toList();

    assertThat(secretLooking).contains(ServeOption.ADMIN_TOKEN, ServeOption.ORIGIN_TOKEN,
        ServeOption.DB_PASSWORD);
    assertThat(secretLooking).allSatisfy(option -> {
      assertThat(option.isSecret()).as("%s is a secret", option.optionName()).isTrue();
      assertThat(option.fileTwin()).as("%s has a -file twin", option.optionName()).isPresent();
      assertThat(SettingValues.masked(option, "v3ry-s3cret"))
          .as("%s as config shows it", option.optionName()).isEqualTo("(secret)");
    });
  }
}
