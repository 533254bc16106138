// The message view: decoded headers, the text to show, the HTML part, attachments and their part numbers,
// a part's bytes exactly as attached, and the download type that cannot render as active content.
#include <gtest/gtest.h>

#include "mail/webmail/message_view.hpp"

namespace endhost::mail::webmail {
namespace {

const char* kMixed =
    "From: =?UTF-8?B?w4lsaXNl?= <elise@crepes.fr>\r\n"
    "To: bob@hamburger.edu\r\n"
    "Subject: =?ISO-8859-1?Q?caf=E9?=\r\n"
    "Date: Wed, 02 Dec 2026 16:59:35 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
    "\r\n"
    "--b2\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Un caf=E9?\r\n"
    "--b2\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Un caf\xc3\xa9?</p>\r\n"
    "--b2--\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAEC/w==\r\n"
    "--b1\r\n"
    "Content-Type: image/png\r\n"
    "Content-ID: <logo@x>\r\n"
    "Content-Disposition: inline; filename=\"../../logo.png\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "iVBORw==\r\n"
    "--b1--\r\n";

TEST(MessageView, HeadersTextHtmlAndAttachments) {
  const MessageView v = view_message(kMixed);
  EXPECT_EQ(v.header.from, "\xc3\x89lise <elise@crepes.fr>");
  EXPECT_EQ(v.header.subject, "caf\xc3\xa9");
  EXPECT_EQ(v.header.date, "Wed, 02 Dec 2026 16:59:35 +0000");
  EXPECT_EQ(v.text, "Un caf\xc3\xa9?");
  EXPECT_EQ(v.html_part, "1.2");
  ASSERT_EQ(v.attachments.size(), 2u);
  EXPECT_EQ(v.attachments[0].part, "2");
  EXPECT_EQ(v.attachments[0].filename, "r\xc3\xa9sum\xc3\xa9.bin");
  EXPECT_EQ(v.attachments[0].size, 4u);
  EXPECT_EQ(v.attachments[1].part, "3");
  EXPECT_EQ(v.attachments[1].filename, "logo.png");  // no directory
  EXPECT_EQ(v.attachments[1].content_id, "logo@x");
  EXPECT_EQ(part_for_content_id(kMixed, "logo@x"), "3");
}

TEST(MessageView, PartsAreTheAttachedBytes) {
  auto p = extract_part(kMixed, "2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->data, std::string("\x00\x01\x02\xff", 4));
  EXPECT_EQ(p->content_type, "application/octet-stream");
  EXPECT_EQ(part_text(kMixed, "1.2"), "<p>Un caf\xc3\xa9?</p>");
  EXPECT_EQ(part_text(kMixed, "1.1"), "Un caf\xc3\xa9?");  // Latin-1 made UTF-8 for showing
  EXPECT_FALSE(extract_part(kMixed, "1"));                 // a multipart is not a part one downloads
  EXPECT_FALSE(extract_part(kMixed, "9"));
  EXPECT_FALSE(extract_part(kMixed, "1.x"));
  EXPECT_FALSE(extract_part(kMixed, ""));
}

TEST(MessageView, SinglePartAndMalformedMessages) {
  const MessageView plain = view_message("Subject: hi\r\n\r\nbody\r\n");
  EXPECT_EQ(plain.text, "body\r\n");
  EXPECT_TRUE(plain.attachments.empty());
  EXPECT_TRUE(extract_part("Subject: hi\r\n\r\nbody\r\n", "1"));
  // No boundary, no header end, garbage: something is shown, nothing crashes.
  view_message("Content-Type: multipart/mixed\r\n\r\n--x\r\n");
  view_message("no header at all");
  view_message("");
  EXPECT_EQ(summarize_header("Subject: partial header cut off here").subject, "partial header cut off here");
}

TEST(MessageView, DownloadTypes) {
  EXPECT_EQ(safe_download_type("image/png"), "image/png");
  EXPECT_EQ(safe_download_type("application/PDF"), "application/pdf");
  EXPECT_EQ(safe_download_type("text/html"), "application/octet-stream");
  EXPECT_EQ(safe_download_type("image/svg+xml"), "application/octet-stream");
  EXPECT_EQ(safe_download_type("application/javascript"), "application/octet-stream");
  EXPECT_EQ(safe_download_type("text/xml"), "application/octet-stream");
}

TEST(MessageView, DownloadNames) {
  // An attachment's name: no directory, no CR/LF or other control bytes, never empty, "." or "..".
  EXPECT_EQ(safe_filename("report.pdf", "part-2"), "report.pdf");
  EXPECT_EQ(safe_filename("../../etc/passwd", "part-2"), "passwd");
  EXPECT_EQ(safe_filename("C:\\Users\\x\\evil.exe", "part-2"), "evil.exe");
  EXPECT_EQ(safe_filename("a\r\nSet-Cookie: x", "part-2"), "aSet-Cookie: x");
  EXPECT_EQ(safe_filename("dir/..", "part-2"), "part-2");
  EXPECT_EQ(safe_filename("", "message.eml"), "message.eml");
  EXPECT_EQ(safe_filename("caf\xc3\xa9.txt", "x"), "caf\xc3\xa9.txt");

  // A whole message: the subject, made a file name, then .eml.
  EXPECT_EQ(eml_filename("Lunch on Friday?"), "Lunch on Friday.eml");
  EXPECT_EQ(eml_filename(""), "message.eml");
  EXPECT_EQ(eml_filename("\"/\\:*?<>|"), "message.eml");
  EXPECT_EQ(eml_filename("../../x \"quoted\"\r\n"), "x quoted.eml");
  EXPECT_EQ(eml_filename("..."), "message.eml");
  const std::string long_subject = std::string(59, 'a') + "\xc3\xa9" + "tail";
  EXPECT_EQ(eml_filename(long_subject), std::string(59, 'a') + ".eml")
      << "cut before the character, not in it";

  // The header: quotes, backslashes, CR/LF and non-ASCII never reach the quoted filename; filename* has
  // the UTF-8 name percent-encoded.
  EXPECT_EQ(attachment_disposition_field("a \"b\".eml"),
            "attachment; filename=\"a _b_.eml\"; filename*=UTF-8''a%20%22b%22.eml");
  EXPECT_EQ(attachment_disposition_field("caf\xc3\xa9\r\n.eml"),
            "attachment; filename=\"caf____.eml\"; filename*=UTF-8''caf%C3%A9%0D%0A.eml");
}

}  // namespace
}  // namespace endhost::mail::webmail
