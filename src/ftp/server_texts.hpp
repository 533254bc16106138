// The server's reply texts in one place, close to vsftpd's where the RFCs leave the wording open (RFC 959
// §4.2: the text is for humans; clients read the code), so a client that matches texts meets what it knows.
#pragma once

#include <string_view>

namespace endhost::ftp::texts {

inline constexpr std::string_view kGoodbye = "Goodbye.";
inline constexpr std::string_view kUnknown = "Unknown command.";
inline constexpr std::string_view kBadSequence = "Bad sequence of commands.";
inline constexpr std::string_view kNotLoggedIn = "Please login with USER and PASS.";
inline constexpr std::string_view kNeedTls = "Non-anonymous sessions must use encryption.";
inline constexpr std::string_view kAlreadyTls = "Already using TLS.";
inline constexpr std::string_view kTooFast = "Too many commands per second; closing.";
inline constexpr std::string_view kTooMany = "Too many commands without waiting for replies; closing.";
inline constexpr std::string_view kLineTooLong = "Command line too long.";
inline constexpr std::string_view kBadLineEnd = "Command line must end with CRLF.";
inline constexpr std::string_view kTimeout = "Timeout.";
inline constexpr std::string_view kDataTimeout = "Data timeout. Reconnect. Sorry.";
inline constexpr std::string_view kReplyTooLong = "Reply too long.";
inline constexpr std::string_view kSyntax = "Syntax error in parameters or arguments.";
inline constexpr std::string_view kBadPath = "Bad path name.";
inline constexpr std::string_view kLocalError = "Local error in processing.";

// Login (RFC 959 §4.1.1).
inline constexpr std::string_view kSpecifyPassword = "Please specify the password.";
inline constexpr std::string_view kLoginOk = "Login successful.";
inline constexpr std::string_view kLoginIncorrect = "Login incorrect.";
inline constexpr std::string_view kNoAnonymous = "This FTP server does not allow anonymous logins.";
inline constexpr std::string_view kUserFirst = "Login with USER first.";
inline constexpr std::string_view kAlreadyLoggedIn = "Already logged in.";
inline constexpr std::string_view kCannotChangeUser = "Can't change to another user.";
inline constexpr std::string_view kAcct = "ACCT not implemented.";
inline constexpr std::string_view kRein = "REIN not implemented.";
inline constexpr std::string_view kSmnt = "SMNT not implemented.";

// Parameters (§4.1.2).
inline constexpr std::string_view kAscii = "Switching to ASCII mode.";
inline constexpr std::string_view kBinary = "Switching to Binary mode.";
inline constexpr std::string_view kBadType = "Unrecognised TYPE command.";
inline constexpr std::string_view kModeOk = "Mode set to S.";
inline constexpr std::string_view kBadMode = "Bad MODE command.";
inline constexpr std::string_view kStruOk = "Structure set to F.";
inline constexpr std::string_view kBadStru = "Bad STRU command.";
inline constexpr std::string_view kPortOk = "PORT command successful. Consider using PASV.";
inline constexpr std::string_view kEprtOk = "EPRT command successful. Consider using EPSV.";
inline constexpr std::string_view kBadPort = "Illegal PORT command.";
inline constexpr std::string_view kBadEprt = "Illegal EPRT command.";
inline constexpr std::string_view kPortRefused = "PORT to that address or port refused (RFC 2577).";
inline constexpr std::string_view kEprtProtocols = "Network protocol not supported, use (1,2)";
inline constexpr std::string_view kEpsvProtocol = "Network protocol not supported, use (1,2)";
inline constexpr std::string_view kEpsvAll = "EPSV ALL ok.";
inline constexpr std::string_view kPortAfterEpsvAll = "PORT not allowed after EPSV ALL.";
inline constexpr std::string_view kEprtAfterEpsvAll = "EPRT not allowed after EPSV ALL.";
inline constexpr std::string_view kPasvAfterEpsvAll = "PASV not allowed after EPSV ALL.";
inline constexpr std::string_view kPasvNeedsIpv4 = "PASV needs IPv4; use EPSV.";
inline constexpr std::string_view kCannotListen = "Could not open a passive data connection.";

// Transfers (§4.1.3).
inline constexpr std::string_view kUsePasvFirst = "Use PORT or PASV first.";
inline constexpr std::string_view kNoDataConnection = "Failed to establish connection.";
inline constexpr std::string_view kOkToSend = "Ok to send data.";
inline constexpr std::string_view kListing = "Here comes the directory listing.";
inline constexpr std::string_view kTransferDone = "Transfer complete.";
inline constexpr std::string_view kListingDone = "Directory send OK.";
inline constexpr std::string_view kAborted = "Transfer aborted. Data connection closed.";
inline constexpr std::string_view kAbortOk = "ABOR successful.";
inline constexpr std::string_view kNoTransferToAbort = "No transfer to ABOR.";
inline constexpr std::string_view kNetWriteFailed = "Failure writing network stream.";
inline constexpr std::string_view kNetReadFailed = "Failure reading network stream.";
inline constexpr std::string_view kLocalReadFailed = "Failure reading local file.";
inline constexpr std::string_view kLocalWriteFailed = "Failure writing to local file.";
inline constexpr std::string_view kOpenFailed = "Failed to open file.";
inline constexpr std::string_view kOpenDirFailed = "Failed to open directory.";
inline constexpr std::string_view kPermissionDenied = "Permission denied.";
inline constexpr std::string_view kNoSpace = "Insufficient storage space.";
inline constexpr std::string_view kTooLarge = "Exceeded storage allocation.";
inline constexpr std::string_view kDataTlsFailed = "Data connection TLS negotiation failed.";
inline constexpr std::string_view kDataMustBeTls = "Data connections must be encrypted.";
inline constexpr std::string_view kAllo = "ALLO command ignored.";
inline constexpr std::string_view kBadRest = "REST needs a byte count.";

// Files and directories.
inline constexpr std::string_view kCwdOk = "Directory successfully changed.";
inline constexpr std::string_view kCwdFailed = "Failed to change directory.";
inline constexpr std::string_view kMkdFailed = "Create directory operation failed.";
inline constexpr std::string_view kRmdOk = "Remove directory operation successful.";
inline constexpr std::string_view kRmdFailed = "Remove directory operation failed.";
inline constexpr std::string_view kDeleOk = "Delete operation successful.";
inline constexpr std::string_view kDeleFailed = "Delete operation failed.";
inline constexpr std::string_view kRnfrOk = "Ready for RNTO.";
inline constexpr std::string_view kRnfrFailed = "RNFR command failed.";
inline constexpr std::string_view kRnfrFirst = "RNFR required first.";
inline constexpr std::string_view kRntoOk = "Rename successful.";
inline constexpr std::string_view kRntoFailed = "Rename failed.";
inline constexpr std::string_view kSizeFailed = "Could not get file size.";
inline constexpr std::string_view kMdtmFailed = "Could not get file modification time.";
inline constexpr std::string_view kMlstFailed = "Could not list that path.";
inline constexpr std::string_view kChmodOk = "SITE CHMOD command ok.";
inline constexpr std::string_view kChmodFailed = "SITE CHMOD command failed.";
inline constexpr std::string_view kBadSite = "Unknown SITE command.";

// Informational.
inline constexpr std::string_view kNoop = "NOOP ok.";
inline constexpr std::string_view kSyst = "UNIX Type: L8";
inline constexpr std::string_view kUtf8 = "Always in UTF8 mode.";
inline constexpr std::string_view kBadOpts = "Option not understood.";

// TLS (RFC 4217).
inline constexpr std::string_view kAuthOk = "Proceed with negotiation.";
inline constexpr std::string_view kAuthUnavailable = "TLS not available.";
inline constexpr std::string_view kAuthUnknown = "Unknown AUTH type.";
inline constexpr std::string_view kAuthAfterLogin = "AUTH not allowed after login.";
inline constexpr std::string_view kPbszInsecure = "PBSZ not allowed on insecure control connection.";
inline constexpr std::string_view kProtInsecure = "PROT not allowed on insecure control connection.";
inline constexpr std::string_view kProtNeedsPbsz = "PBSZ needed first.";
inline constexpr std::string_view kProtClear = "PROT now Clear.";
inline constexpr std::string_view kProtPrivate = "PROT now Private.";
inline constexpr std::string_view kProtUnsupported = "PROT level not supported.";
inline constexpr std::string_view kProtUnknown = "PROT level not recognized.";
inline constexpr std::string_view kProtClearRefused = "Data connections must be encrypted.";

}  // namespace endhost::ftp::texts
