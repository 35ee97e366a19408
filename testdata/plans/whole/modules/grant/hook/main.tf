resource "terraform_data" "notify" {
  input = "granted"
  provisioner "local-exec" {
    when    = destroy
    command = "echo revoked"
  }
}
