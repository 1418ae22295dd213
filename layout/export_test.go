package layout

// ValidKey exposes validKey to the external tests, which compare it with
// storage.ValidateKey (package layout itself may not import storage).
var ValidKey = validKey
